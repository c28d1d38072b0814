"""The tick, the outbox and the replies together, through a real SMTP server on loopback.

Three weeks of the Hubei campaign as plain ticks: the first weekly request with its table
and personal link, a bureau answering through the link in its e-mail, reminders going only
to the bureaus that have not answered, then the plan's 通知 with its 签收 link, chased.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlmodel import Session, select

from campaign.links import resolve_token
from campaign.orchestration.tick import run_tick, tick_moments
from campaign.replies.submit import submit_report
from models.outbox import OutboxMessage
from models.reply import ReportCreate
from models.request import ReportRequest, RequestStatus
from tests.mail.conftest import stored
from tests.support.hubei import launch_plan

LINK = re.compile(r"https?://[^\s\"'<>]+/r/([A-Za-z0-9_-]+)")
WUHAN = "420100"
ANSWER = {
    "food_enterprises": "120",
    "licensed_enterprises": "118",
    "standard_registered": "115",
    "archived_enterprises": "120",
    "recall_committed": "118",
    "self_testing": "110",
    "sampled_batches": "40",
    "qualified_batches": "37",
    "inspections": "65",
    "cases_filed": "3",
    "dens_destroyed": "1",
    "value_involved": "12.5",
    "workshop_staff": "300",
    "workshop_staff_trained": "120",
}


def subject_of(message: EmailMessage) -> str:
    return str(message["Subject"])


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def launch(session: Session) -> int:
    campaign_id = launch_plan(session)
    session.commit()
    return campaign_id


def tick_through(campaign_id: int, start: date, end: date) -> list[dict]:
    moments = tick_moments(campaign_id=campaign_id, start=start, end=end)
    return [run_tick(campaign_id=campaign_id, as_of=m).to_json() for m in moments]


def test_two_weeks_of_mail_and_a_reply_through_its_link(
    session: Session, hubei_bureaus, mailserver, tmp_path: Path
) -> None:
    campaign_id = launch(session)
    reports = tick_through(campaign_id, date(2007, 8, 10), date(2007, 8, 20))
    assert all(r["mail"]["unavailable"] is None and r["mail"]["failed"] == 0 for r in reports)

    messages = stored(mailserver)
    requests = [
        m
        for m in messages
        if any(p.get_filename("").endswith(".xlsx") for p in m.iter_attachments())
    ]
    assert Counter(str(m["To"]) for m in requests).most_common(1)[0][1] == 1  # one each
    assert len(requests) == 17
    assert not [m for m in messages if subject_of(m).startswith("【通知】")]  # it goes out 08-27
    assert len({m["Message-ID"] for m in messages}) == len(messages)

    # 武汉 answers the first weekly request through the link in its e-mail.
    wuhan_request = next(m for m in requests if "wuhan@" in str(m["To"]))
    token = LINK.search(text_of(wuhan_request)).group(1)  # type: ignore[union-attr]
    link = resolve_token(session=session, token=token)
    assert link is not None and link.bureau_code == WUHAN
    submit_report(
        session=session,
        link_or_request=link,
        channel="web",
        report_in=ReportCreate(values=ANSWER, narrative="本周开展市场准入集中检查。"),
        now=datetime(2007, 8, 22, 2, 0, tzinfo=UTC),
        data_dir=tmp_path,
    )
    session.commit()

    seen = {m["Message-ID"] for m in stored(mailserver)}
    tick_through(campaign_id, date(2007, 8, 21), date(2007, 8, 23))
    new = [m for m in stored(mailserver) if m["Message-ID"] not in seen]
    reminders = [m for m in new if subject_of(m).startswith("【提醒】动态信息（8月20日至8月26日）")]
    to = {str(m["To"]) for m in reminders}
    assert len(reminders) == 16  # every city but 武汉, which answered
    assert not any("wuhan@" in address for address in to)
    # A reminder carries the link of the request e-mail, which keeps working.
    first_links = {str(m["To"]): LINK.search(text_of(m)).group(1) for m in requests}  # type: ignore[union-attr]
    for reminder in reminders:
        token = LINK.search(text_of(reminder)).group(1)  # type: ignore[union-attr]
        assert token == first_links[str(reminder["To"])]

    session.expire_all()
    statuses = Counter(
        r.status
        for r in session.exec(
            select(ReportRequest).where(ReportRequest.duty_key == "weekly-progress")
        ).all()
    )
    assert statuses == {RequestStatus.open: 16, RequestStatus.submitted: 1}
    pending = session.exec(select(OutboxMessage).where(OutboxMessage.state != "sent")).all()
    receipts = [m for m in new if subject_of(m).startswith("【回执】已收到武汉市质量技术监督局")]
    chases = [m for m in new if subject_of(m).startswith("【催签收】")]
    assert pending == [] and len(receipts) == 1 and chases == []

    # The plan's 通知 goes out on its date, 8月27日, to be acknowledged by 8月29日.
    seen = {m["Message-ID"] for m in stored(mailserver)}
    tick_through(campaign_id, date(2007, 8, 24), date(2007, 8, 31))
    new = [m for m in stored(mailserver) if m["Message-ID"] not in seen]
    directives = [
        m
        for m in new
        if subject_of(m).startswith("【通知】") and "鄂质监发〔2007〕77号" in subject_of(m)
    ]
    assert len(directives) == 17
    assert all(
        any(p.get_filename("").endswith(".docx") for p in m.iter_attachments()) for m in directives
    )
    chases = [m for m in new if subject_of(m).startswith("【催签收】")]
    # nobody acknowledged it: each city is reminded on 8月28日 and chased on 8月30日
    assert Counter(str(m["To"]) for m in chases) == {str(m["To"]): 2 for m in directives}
