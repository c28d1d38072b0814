"""The hand-computed fixture stored in a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlmodel import Session

from models.bureau import Bureau, BureauLevel
from models.campaign import Campaign
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from tests.results.fixture import PLAN, ROWS, UNITS


def add_campaign(session: Session, plan: str = PLAN) -> int:
    """The test campaign (测试〔2026〕1号) of this plan text; its id."""
    campaign = Campaign(
        document_number="测试〔2026〕1号",
        title="测试专项行动",
        plan_yaml=plan,
        plan_sha256=hashlib.sha256(plan.encode()).hexdigest(),
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    return campaign.id


def store_fixture(session: Session, rows: list = ROWS) -> int:  # type: ignore[type-arg]
    session.add(
        Bureau(code="000", name="测试上级局", level=BureauLevel.province, email="p@example.org")
    )
    for code, name in UNITS:
        session.add(
            Bureau(
                code=code,
                name=name,
                parent_code="000",
                level=BureauLevel.city,
                email=f"b{code}@example.org",
            )
        )
    campaign_id = add_campaign(session)
    at = datetime(2026, 1, 12, tzinfo=UTC)
    for _rid, unit, period, answer in rows:
        request = ReportRequest(
            campaign_id=campaign_id,
            duty_key="weekly",
            period_key=period[0],
            period_label=period[1],
            period_start=period[2],
            period_end=period[3],
            bureau_code=unit,
            kind="request",
            due_date=period[4],
            late=bool(answer and answer[1]),
            # unanswered: overdue, as a tick after the due date leaves them
            status=RequestStatus.overdue if answer is None else RequestStatus.submitted,
            opened_at=datetime.combine(period[2], datetime.min.time(), UTC),
            answered_at=None
            if answer is None
            else datetime.combine(period[4], datetime.min.time(), UTC),
        )
        session.add(request)
        session.flush()
        if answer is None:
            continue
        status, late, values, narrative = answer
        if status == "returned":  # a first version returned, nothing since
            request.status = RequestStatus.returned
        for version in (1, 2) if status == "accepted" else (1,):
            session.add(
                ReportSubmission(
                    request_id=request.id,
                    campaign_id=campaign_id,
                    bureau_code=unit,
                    version=version,
                    # a first version superseded by the second: its figures never count
                    values=values
                    if version == 2 or status != "accepted"
                    else {"inspections": "1000"},
                    narrative=narrative,
                    channel="web",
                    submitted_at=at,
                    late=late,
                    review_status=ReviewStatus(status)
                    if version == 2 or status != "accepted"
                    else ReviewStatus.returned,
                )
            )
    session.commit()
    return campaign_id
