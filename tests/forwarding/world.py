"""A three-level registry and the Hubei plan forwarded by the cities (imported, not collected).

湖北省局 420000 → 武汉 420100 (江岸 420102, 江汉 420103), 黄石 420200 (下陆 420204).
The plan's one 通知 goes out on 2007-08-27 (a Monday); the cities forward it within 3
working days (by Thursday 08-30); counties 签收 within 2 working days (the plan's)."""

from __future__ import annotations

from datetime import datetime

import yaml
from sqlmodel import Session, col, select

from campaign.forwarding.form import ForwardInput, check_forwarding
from campaign.forwarding.record import Forwarded, draft, forward_directive
from campaign.orchestration.tick import run_tick
from models.audit import Channel
from models.bureau import Bureau, BureauLevel
from models.request import ReportRequest
from tests.support.hubei import HUBEI_PLAN, launch_plan

UNITS = (
    ("420000", "湖北省质量技术监督局", None, BureauLevel.province),
    ("420100", "武汉市质量技术监督局", "420000", BureauLevel.city),
    ("420200", "黄石市质量技术监督局", "420000", BureauLevel.city),
    ("420102", "江岸区质量技术监督局", "420100", BureauLevel.county),
    ("420103", "江汉区质量技术监督局", "420100", BureauLevel.county),
    ("420204", "下陆区质量技术监督局", "420200", BureauLevel.county),
)
WINDOW = "mobilization"
REQUIREMENTS = "各区局要于9月5日前制定本地实施方案。\n\n　　加强督查，确保按时报送。\n"


def forwarding_plan(**forward: object) -> bytes:
    data = yaml.safe_load(HUBEI_PLAN.read_text(encoding="utf-8"))
    data["document"]["forward"] = forward or {"by": "city", "within": {"working_days": 3}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def add_units(
    session: Session, units: tuple[tuple[str, str, str | None, BureauLevel], ...] = UNITS
) -> None:
    for code, name, parent, level in units:
        session.add(
            Bureau(
                code=code, name=name, parent_code=parent, level=level, email=f"b{code}@example.org"
            )
        )
        session.flush()
    session.commit()


def launched(session: Session, url: str) -> int:
    """The units, the campaign launched, its 通知 issued (the tick of 2007-08-27)."""
    add_units(session)
    campaign_id = launch_plan(session, forwarding_plan(), "forwarding plan")
    session.commit()
    run_tick(campaign_id=campaign_id, as_of=at("2007-08-27"), url=url)
    return campaign_id


def at(day: str, hour: int = 9) -> datetime:
    from tests.orchestration.orchestration_support import at as tick_at

    return tick_at(day, hour)


def forward(
    session: Session,
    campaign_id: int,
    unit: str = "420100",
    now: datetime | None = None,
    **changes: object,
) -> Forwarded:
    target = draft(session=session, campaign_id=campaign_id, unit_code=unit, window=WINDOW)
    raw = ForwardInput(
        document_number="武质监发〔2007〕12号",
        title=target.default_title(),
        requirements=REQUIREMENTS,
        issued_on="2007-08-28",
        recipients=[b.code for b in target.children],
    )
    for name, value in changes.items():
        setattr(raw, name, value)
    now = now or at("2007-08-28", 10)
    checked = check_forwarding(
        raw,
        children=target.children,
        directive_number=target.directive.document_number,
        directive_issued=target.directive.issued_on,
        today=now.date(),
    )
    assert checked.forwarding is not None, checked.errors
    done = forward_directive(
        session=session,
        target=target,
        forwarding=checked.forwarding,
        username="wuhan",
        channel=Channel.web,
        now=now,
    )
    session.commit()
    return done


def requests_of(session: Session, duty: str, period: str | None = None) -> dict[str, ReportRequest]:
    session.expire_all()
    query = select(ReportRequest).where(col(ReportRequest.duty_key) == duty)
    if period is not None:
        query = query.where(col(ReportRequest.period_key) == period)
    return {r.bureau_code: r for r in session.exec(query).all()}
