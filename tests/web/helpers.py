"""Helpers of the HTTP tests: fill the form as a browser would, read the messages shown."""

from __future__ import annotations

import html
import re
from typing import Any

from replies.factories import NARRATIVE, count, valid_entries
from sqlmodel import SQLModel

from models.attachment import SubmissionAttachment
from models.outbox import OutboxMessage
from models.request import ReportRequest
from models.submission import ReportSubmission
from web.conftest import Web

ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)
SUMMARY = re.compile(r'<li><a href="#[^"]*">(.*?)</a></li>', re.S)
PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no form token on the page"
    return found.group(1)


def errors(page: str) -> list[str]:
    """Messages shown next to fields and in the summary, unescaped."""
    return [html.unescape(m) for m in ERROR.findall(page)]


def summary(page: str) -> list[str]:
    return [html.unescape(m) for m in SUMMARY.findall(page)]


def paragraphs(page: str) -> list[str]:
    return [html.unescape(m) for m in PARAGRAPH.findall(page)]


def form_data(
    csrf: str, changes: dict[str, str] | None = None, narrative: str = NARRATIVE
) -> dict[str, str]:
    data = {f"f_{k}": v for k, v in {**valid_entries(), **(changes or {})}.items()}
    data.update(csrf_token=csrf, narrative=narrative)
    return data


def send_form(
    web: Web,
    name: str = "wuhan",
    changes: dict[str, str] | None = None,
    narrative: str = NARRATIVE,
    files: list[tuple[str, Any]] | None = None,
) -> Any:
    page = web.client.get(web.url(name))
    assert page.status_code == 200, page.text
    return web.client.post(
        web.url(name), data=form_data(csrf_of(page.text), changes, narrative), files=files
    )


def send_table(web: Web, data: bytes, filename: str = "统计表.xlsx", name: str = "wuhan") -> Any:
    page = web.client.get(web.url(name))
    assert page.status_code == 200, page.text
    return web.client.post(
        web.url(name, "/xlsx"),
        data={"csrf_token": csrf_of(page.text)},
        files={"table": (filename, data, "application/octet-stream")},
    )


def stored(web: Web) -> dict[str, int]:
    """How many answers, files and e-mails exist: all zero when nothing was stored."""
    web.session.rollback()
    web.session.expire_all()
    models: dict[str, type[SQLModel]] = {
        "submissions": ReportSubmission,
        "attachments": SubmissionAttachment,
        "mails": OutboxMessage,
    }
    return {name: count(web.session, model) for name, model in models.items()}


NOTHING = {"submissions": 0, "attachments": 0, "mails": 0}


def request_status(web: Web, name: str = "wuhan") -> str:
    web.session.rollback()
    web.session.expire_all()
    request = web.session.get(ReportRequest, web.world.requests[name].id)
    assert request is not None
    web.session.refresh(request)
    return str(request.status.value)
