"""An after-event duty through submit_report, on both databases: the report gives the
moment of its event and is marked late when it arrives after the plan's time limit."""

from __future__ import annotations

import hashlib
from datetime import datetime

import yaml
from sqlmodel import Session

from campaign.links import issue_link, resolve_token
from campaign.replies import submit_report
from models.campaign import Campaign, CampaignStatus
from models.link import LinkPurpose, ReplyLink
from models.reply import ReportCreate
from replies.factories import BEIJING, add_bureau, plan_text


def after_event_link(session: Session) -> ReplyLink:
    """A campaign whose ad hoc duty is due two hours after the event the unit reports."""
    data = yaml.safe_load(plan_text())
    urgent = next(d for d in data["duties"] if d["key"] == "urgent")
    urgent["schedule"] = {
        "type": "after_event", "event": "发生质量安全事故", "field": "category",
        "within": {"hours": 2},
    }  # fmt: skip
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    campaign = Campaign(
        document_number=data["document_number"],
        title=data["title"],
        plan_yaml=text,
        plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
        timezone=data["timezone"],
        status=CampaignStatus.active,
    )
    session.add(campaign)
    session.flush()
    add_bureau(session, "420000", "湖北省质量技术监督局", None)
    add_bureau(session, "420100", "武汉市质量技术监督局", "420000")
    token = issue_link(
        session=session,
        campaign_id=campaign.id,  # type: ignore[arg-type]
        bureau_code="420100",
        purpose=LinkPurpose.ad_hoc,
    ).token
    session.commit()
    link = resolve_token(session=session, token=token)
    assert link is not None
    return link


def send(session: Session, link: ReplyLink, happened: str, at: datetime, key: str) -> bool:
    answer = submit_report(
        session=session,
        link_or_request=link,
        report_in=ReportCreate(
            values={"category": happened}, narrative="事故经过及处置情况。", idempotency_key=key
        ),
        channel="cli",
        now=at,
    )
    session.commit()
    return answer.submission.late


def test_a_report_within_two_hours_of_its_event_is_on_time(session: Session) -> None:
    link = after_event_link(session)
    at = datetime(2007, 9, 13, 10, 0, tzinfo=BEIJING)
    assert send(session, link, "2007-09-13 08:30", at, "a") is False
    assert send(session, link, "2007-09-13 07:59", at, "b") is True
