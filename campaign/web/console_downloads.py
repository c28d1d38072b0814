"""The console's downloads (a stage's 汇总表 and charts), compiled once per state of the data
they come from and kept on disk under the data directory:

    <data_dir>/console/<campaign id>/<stage>/<data key>/workbook.xlsx | charts/<n>.png

The data key (`data_key`) is a digest of what a compilation reads: the plan as stored, the
day (timeliness and 未报 depend on it), and cheap aggregates of the campaign's requests and
answers (how many, the newest, the latest answer and review, how many in each review
state) and of the unit registry (how many, active or not). A late answer, a review, a
returned report, a unit added or deactivated changes the key, so the next
download compiles afresh; the same key is served from the file, instantly. Files are
written to a temporary name and renamed into place (two requests at once both compile,
one file wins, nobody reads half a file); older keys of the stage are removed then.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from models.bureau import Bureau
from models.campaign import Campaign
from models.request import ReportRequest
from models.submission import ReportSubmission, ReviewStatus


def data_key(*, session: Session, campaign: Campaign, today: date) -> str:
    """A digest of the data a stage's outputs are compiled from (see the module's text)."""
    r, s = ReportRequest, ReportSubmission
    requests = session.connection().execute(
        select(func.count(), func.max(col(r.id)), func.max(col(r.answered_at))).where(
            col(r.campaign_id) == campaign.id
        )
    )
    answers = session.connection().execute(
        select(
            func.count(),
            func.max(col(s.id)),
            func.max(col(s.reviewed_at)),
            *(func.sum(case((col(s.review_status) == v, 1), else_=0)) for v in ReviewStatus),
        ).where(col(s.campaign_id) == campaign.id)
    )
    units = session.connection().execute(
        select(
            func.count(),
            func.max(col(Bureau.code)),
            func.sum(case((col(Bureau.active), 1), else_=0)),
        )
    )
    parts = [
        campaign.plan_sha256,
        str(campaign.status),
        today.isoformat(),
        *map(str, requests.one()),
        *map(str, answers.one()),
        *map(str, units.one()),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def cached_file(
    root: Path, campaign_id: int, stage: str, key: str, name: str, build: Callable[[Path], None]
) -> Path:
    """The path of output `name` (e.g. "workbook.xlsx", "charts/1.png") of this stage and
    data key; `build(directory)` writes it (and may write its siblings) when it is missing.
    `stage` must be a key of the plan (checked by the caller)."""
    stage_dir = root / "console" / str(campaign_id) / stage
    path = stage_dir / key / name
    if path.is_file():
        return path
    stage_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=stage_dir))
    try:
        build(work)
        (stage_dir / key).mkdir(exist_ok=True)
        for built in sorted(work.rglob("*")):
            if built.is_file():
                target = stage_dir / key / built.relative_to(work)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(built, target)  # atomic: a reader sees the whole file or none
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old in stage_dir.iterdir():
        if old.is_dir() and old.name != key and not old.name.startswith(".build-"):
            shutil.rmtree(old, ignore_errors=True)
    return path
