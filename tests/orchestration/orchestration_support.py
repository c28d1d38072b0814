"""Helpers shared by the orchestration tests (imported, not collected)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from models.ledger import ActionRecord
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 8, minute: int = 30) -> datetime:
    """A tick time in Beijing time."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), SHANGHAI).replace(
        hour=hour, minute=minute
    )


def ledger_rows(session) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    rows = session.exec(select(ActionRecord)).all()
    return sorted((r.action, r.period, r.bureau_code, r.state) for r in rows)


def answer(session, campaign_id: int, duty: str, period: str, code: str, **values) -> None:  # type: ignore[no-untyped-def]
    """The bureau answers its request (as the replies service would record it)."""
    session.rollback()
    request = session.exec(
        select(ReportRequest).where(
            ReportRequest.campaign_id == campaign_id,
            ReportRequest.duty_key == duty,
            ReportRequest.period_key == period,
            ReportRequest.bureau_code == code,
        )
    ).one()
    request.status = RequestStatus.submitted
    session.add(request)
    session.add(
        ReportSubmission(
            request_id=request.id,
            campaign_id=campaign_id,
            bureau_code=code,
            version=1,
            values={k: str(v) for k, v in values.items()},
            narrative="情况说明",
            channel="web",
        )
    )
    session.commit()
