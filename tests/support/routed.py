"""A plan routed level by level (examples/routed-2026.yaml): a province, 3 cities, 9
counties; the counties report monthly to their city, which reviews and aggregates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from campaign.accounts import add_account
from campaign.bureaus import import_bureau_csv
from campaign.replies import submit_report
from models.audit import Channel
from models.reply import ReportCreate
from models.request import ReportRequest, RequestKind
from tests.support.hubei import EXAMPLES, launch_plan

ROUTED_PLAN = EXAMPLES / "routed-2026.yaml"
ROUTED_UNITS = EXAMPLES / "units-routed-2026.csv"
PROVINCE = "980000"
CITIES = {"980100": ["980101", "980102", "980103"],
          "980200": ["980201", "980202", "980203"],
          "980300": ["980301", "980302", "980303"]}  # fmt: skip
COUNTIES = [c for codes in CITIES.values() for c in codes]
DUTY = "county-monthly"
PERIOD = "2026-03"  # the first month (03-23 to 03-31): opened 04-01, due 04-07
PASSWORD = "逐级-审核-口令-2026"
ACCOUNTS = (  # username, unit, role
    ("office", PROVINCE, "office"),
    ("jia", "980100", "coordinator"),
    ("yi", "980200", "coordinator"),
    ("bing", "980300", "coordinator"),
    ("jia-dong", "980101", "coordinator"),
)


def launch_routed(session: Session, *, accounts: bool = True) -> int:
    """Import the units, open the accounts, launch the plan; committed. Returns its id."""
    import_bureau_csv(session=session, raw=ROUTED_UNITS.read_bytes())
    if accounts:
        for name, unit, role in ACCOUNTS:
            add_account(
                session=session, username=name, unit_code=unit, role=role, password=PASSWORD
            )
    campaign_id = launch_plan(session, ROUTED_PLAN.read_bytes(), source=str(ROUTED_PLAN))
    session.commit()
    return campaign_id


SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 8, minute: int = 30) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(tzinfo=SHANGHAI)


def request_of(session: Session, code: str, kind: str = RequestKind.request) -> ReportRequest:
    session.expire_all()
    return session.exec(
        select(ReportRequest).where(
            ReportRequest.duty_key == DUTY,
            ReportRequest.period_key == PERIOD,
            ReportRequest.bureau_code == code,
            ReportRequest.kind == kind,
        )
    ).one()


def county_answers(session: Session, code: str, when: datetime, **override: str) -> int:
    """The county answers through submit_report; its figures follow its number i (1-9)."""
    i = COUNTIES.index(code) + 1
    values = {
        "makers_checked": str(i),
        "lots_tested": str(10 * i),
        "lots_failed": str(i % 3),
        "penalties": "0.5",
        **override,
    }
    answer = submit_report(
        session=session,
        link_or_request=request_of(session, code),
        report_in=ReportCreate(values=values, narrative=""),
        channel=Channel.web,
        now=when,
    )
    session.commit()
    assert answer.submission.id is not None
    return answer.submission.id
