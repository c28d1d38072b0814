"""Files sent with an answer: checked (count, size, type) before, stored under data_dir after.

Stored names never use what the bureau called the file: a file lives at
attachments/{campaign}/{request}/v{version}/{n}-{sha256 prefix}{ext}; the original name is
kept in the database only.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePath

from sqlmodel import Session

from campaign.replies.errors import ATTACHMENTS, Problem
from campaign.replies.values import clean_text
from models.attachment import AttachmentKind, SubmissionAttachment
from models.reply import AttachmentIn
from models.submission import ReportSubmission

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ALLOWED_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".wps",
        ".et",
        ".ofd",
        ".txt",
        ".jpg",
        ".jpeg",
        ".png",
    }
)
ALLOWED_TEXT = "PDF、Word、Excel、WPS、OFD、TXT、JPG、PNG"


def base_name(filename: str) -> str:
    """The file's own name, without any folders or control characters a browser or a
    crafted request put in it."""
    return PurePath(clean_text(filename).replace("\\", "/")).name or "未命名文件"


def display_name(filename: str) -> str:
    """The file's own name, shortened for messages."""
    name = base_name(filename)
    return name if len(name) <= 60 else name[:57] + "…"


def extension(filename: str) -> str:
    return PurePath(clean_text(filename).replace("\\", "/")).suffix.lower()


def check_attachments(attachments: list[AttachmentIn]) -> list[Problem]:
    """Every problem with the files added to a form (not the source .xlsx table)."""
    files = [a for a in attachments if a.kind == AttachmentKind.attachment]
    problems: list[Problem] = []
    if len(files) > MAX_ATTACHMENTS:
        problems.append(
            Problem(ATTACHMENTS, f"附件最多{MAX_ATTACHMENTS}个（本次为{len(files)}个）")
        )
        return problems
    for item in files:
        name = display_name(item.filename)
        if len(item.data) > MAX_ATTACHMENT_BYTES:
            problems.append(Problem(ATTACHMENTS, f"附件“{name}”超过5 MB，请压缩或拆分后上传"))
        elif not item.data:
            problems.append(Problem(ATTACHMENTS, f"附件“{name}”是空文件"))
        elif extension(item.filename) not in ALLOWED_EXTENSIONS:
            problems.append(
                Problem(ATTACHMENTS, f"附件“{name}”的类型不予接收（可上传{ALLOWED_TEXT}文件）")
            )
    return problems


def store_attachments(
    *,
    session: Session,
    submission: ReportSubmission,
    attachments: list[AttachmentIn],
    data_dir: Path,
) -> list[SubmissionAttachment]:
    """Write each file under data_dir and add its row (committed with the submission)."""
    rows = []
    folder = (
        Path("attachments")
        / str(submission.campaign_id)
        / str(submission.request_id)
        / f"v{submission.version}"
    )
    for number, item in enumerate(attachments, start=1):
        digest = hashlib.sha256(item.data).hexdigest()
        relative = folder / f"{number}-{digest[:16]}{extension(item.filename)[:10]}"
        _write_atomically(data_dir / relative, item.data)
        row = SubmissionAttachment(
            submission_id=submission.id,  # type: ignore[arg-type]
            kind=item.kind,
            filename=base_name(item.filename)[:255],
            content_type=clean_text(item.content_type)[:100],
            size=len(item.data),
            sha256=digest,
            stored_path=relative.as_posix(),
        )
        session.add(row)
        rows.append(row)
    return rows


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
