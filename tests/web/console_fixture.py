"""A small hand-made campaign for the console: two parents, five units, three weekly periods,
every matrix state, seen on TODAY (2026-01-22: periods 1 and 2 due, period 3 not yet).

          第1周 (due 01-12)   第2周 (due 01-19)   第3周 (due 01-26)
甲局 001  按时 (accepted)      迟报 (accepted)      未到期
乙局 002  按时 待审            未报 (overdue)       未到期
丙局 003  退回                 未报 (still open)    按时 待审 (early)
丁局 004  — (joined later)     按时 (accepted)      未到期
<script> 005  未报             未报                 未到期

Targets (the results fixture's plan): 获证率 ≥ 90 per unit: 甲 100 (10/10, its latest
accepted report, 第2周), 丁 50 (5/10) 未达标, the others no data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from models.bureau import Bureau, BureauLevel
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from tests.results.db_fixture import add_campaign

TODAY = date(2026, 1, 22)
EVIL = "<script>alert(1)</script>局"
PARENTS = [("000", "第一上级局"), ("100", "第二上级局")]
UNITS = [
    ("001", "甲局", "000"),
    ("002", "乙局", "000"),
    ("003", "丙局", "000"),
    ("004", "丁局", "100"),
    ("005", EVIL, "100"),
]
PERIODS = [
    ("2026-w02", "第1周", date(2026, 1, 5), date(2026, 1, 12)),
    ("2026-w03", "第2周", date(2026, 1, 12), date(2026, 1, 19)),
    ("2026-w04", "第3周", date(2026, 1, 19), date(2026, 1, 26)),
]
FULL = {"inspections": "5", "licensed": "10", "enterprises": "10", "pass_rate": "96"}
# unit → per period: None (no request) or (request status, late, answer review or None, values)
ROWS: dict[str, list[tuple[str, bool, str | None, dict[str, str]] | None]] = {
    "001": [
        ("accepted", False, "accepted", {**FULL, "licensed": "8"}),
        ("accepted", True, "accepted", FULL),
        ("open", False, None, {}),
    ],
    "002": [
        ("submitted", False, "pending", FULL),
        ("overdue", False, None, {}),
        ("open", False, None, {}),
    ],
    "003": [
        ("returned", False, "returned", FULL),
        ("open", False, None, {}),
        ("submitted", False, "pending", FULL),
    ],
    "004": [
        None,
        ("accepted", False, "accepted", {**FULL, "licensed": "5"}),
        ("open", False, None, {}),
    ],
    "005": [("overdue", False, None, {}), ("overdue", False, None, {}), ("open", False, None, {})],
}
EXPECTED = {
    "001": ["on_time", "late", "not_due"],
    "002": ["on_time", "missing", "not_due"],
    "003": ["returned", "missing", "on_time"],
    "004": ["none", "on_time", "not_due"],
    "005": ["missing", "missing", "not_due"],
}
PENDING = {("002", "2026-w02"), ("003", "2026-w04")}


def add_units(session: Session, units: list[tuple[str, str, str]]) -> None:
    for code, name, parent in units:
        session.add(
            Bureau(
                code=code,
                name=name,
                parent_code=parent,
                level=BureauLevel.county,
                email=f"b{code}@example.org",
            )
        )


def add_request(
    session: Session,
    campaign_id: int,
    unit: str,
    period: tuple[str, str, date, date],
    row: tuple[str, bool, str | None, dict[str, str]],
) -> None:
    status, late, review, values = row
    key, label, start, due = period
    request = ReportRequest(
        campaign_id=campaign_id,
        duty_key="weekly",
        period_key=key,
        period_label=label,
        period_start=start,
        period_end=due.replace(day=due.day - 1),
        bureau_code=unit,
        kind="request",
        due_date=due,
        status=RequestStatus(status),
        late=late,
    )
    session.add(request)
    session.flush()
    if review is not None:
        session.add(
            ReportSubmission(
                request_id=request.id,  # type: ignore[arg-type]
                campaign_id=campaign_id,
                bureau_code=unit,
                version=1,
                values=values,
                channel="web",
                submitted_at=datetime(2026, 1, 10, tzinfo=UTC),
                late=late,
                review_status=ReviewStatus(review),
            )
        )


def store_console_fixture(session: Session) -> int:
    for code, name in PARENTS:
        session.add(
            Bureau(code=code, name=name, level=BureauLevel.city, email=f"p{code}@example.org")
        )
    session.flush()
    add_units(session, UNITS)
    campaign_id = add_campaign(session)
    for unit, rows in ROWS.items():
        for period, row in zip(PERIODS, rows, strict=True):
            if row is not None:
                add_request(session, campaign_id, unit, period, row)
    session.commit()
    return campaign_id
