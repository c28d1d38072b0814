"""Forwarding in the database: the city's request, its record, its counties' 签收 and mail."""

from __future__ import annotations

import io

import docx
from sqlmodel import Session, select

from campaign.schedule import FORWARD_DUTY, forwarded_period
from forwarding.world import WINDOW, at, forward, launched, requests_of
from models.forwarding import ForwardRecord
from models.outbox import OutboxMessage
from models.request import RequestStatus


def test_issuing_opens_a_forwarding_request_per_city_with_children(
    session: Session, db_url: str
) -> None:
    campaign_id = launched(session, db_url)
    found = requests_of(session, FORWARD_DUTY)
    assert sorted(found) == ["420100", "420200"]
    assert str(found["420100"].due_date) == "2007-08-30"
    assert found["420100"].status == RequestStatus.open
    directive = _mail(session, "420100", "directive:")
    assert f"/admin/campaigns/{campaign_id}/forward/{WINDOW}" in directive.text_body
    assert "8月30日前" in directive.text_body  # the city's own deadline to forward


def test_a_double_submit_stores_one_forwarding(session: Session, db_url: str) -> None:
    campaign_id = launched(session, db_url)
    first = forward(session, campaign_id)
    again = forward(session, campaign_id, document_number="武质监发〔2007〕13号")
    assert (first.already, again.already) == (False, True)
    rows = session.exec(select(ForwardRecord)).all()
    assert [(r.unit_code, r.document_number) for r in rows] == [("420100", "武质监发〔2007〕12号")]
    assert requests_of(session, FORWARD_DUTY)["420100"].status == RequestStatus.accepted
    acks = requests_of(session, "acknowledgement", forwarded_period(WINDOW, "420100"))
    assert sorted(acks) == ["420102", "420103"]
    mails = session.exec(
        select(OutboxMessage).where(OutboxMessage.key.startswith("forward:"))
    ).all()  # type: ignore[attr-defined]
    assert sorted(m.bureau_code for m in mails) == ["420102", "420103"]
    assert at


def _mail(session: Session, code: str, key_prefix: str) -> OutboxMessage:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.bureau_code == code)).all()
    return next(m for m in rows if m.key.startswith(key_prefix))


def test_the_city_notice_and_the_directive_go_to_each_county_and_its_link_signs(
    session: Session, db_url: str
) -> None:
    from fastapi.testclient import TestClient

    from campaign.mail.outbox import load_blobs
    from campaign.web.app import create_app

    campaign_id = launched(session, db_url)
    forward(session, campaign_id)
    mail = _mail(session, "420102", "forward:")
    blobs = load_blobs(session=session, shas=[a["sha256"] for a in mail.attachments])
    files = {a["filename"]: blobs[a["sha256"]] for a in mail.attachments}
    assert len(files) == 2
    own = next(n for n in files if "武质监发" in n)
    province = next(n for n in files if "鄂质监发〔2007〕77号" in n)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files[own])).paragraphs)
    assert "武汉市质量技术监督局文件" in text and "武质监发〔2007〕12号" in text
    assert "附件：关于印发《全省质监系统产品质量和食品安全专项整治实施方案》的通知" in text
    assert "加强督查，确保按时报送。" in text and "各区局要于9月5日前制定本地实施方案。" in text
    assert "湖北省质量技术监督局文件" in "\n".join(
        p.text for p in docx.Document(io.BytesIO(files[province])).paragraphs
    )
    link = next(w for w in mail.text_body.split() if "/r/" in w)
    with TestClient(create_app(), base_url="http://testserver") as client:
        page = client.get(link[link.index("/r/") :])
        assert page.status_code == 200, page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        assert "关于转发" in page.text  # the page names the city's notice
        signed = client.post(link[link.index("/r/") :] + "/ack", data={"csrf_token": token})
        assert signed.status_code in (200, 303), signed.text
    acks = requests_of(session, "acknowledgement", forwarded_period(WINDOW, "420100"))
    assert acks["420102"].status == RequestStatus.accepted
    assert acks["420103"].status == RequestStatus.open
    province_ack = requests_of(session, "acknowledgement", WINDOW)
    assert (
        "420102" not in province_ack
    )  # the county's 签收 is the city's notice's, not the province's


def test_an_unforwarded_city_is_reminded_then_escalated_and_unsigned_counties_go_to_the_city(
    session: Session, db_url: str
) -> None:
    from campaign.orchestration.tick import run_tick

    campaign_id = launched(session, db_url)
    forward(session, campaign_id)  # 武汉 forwards on 08-28; 黄石 never does
    for day in (
        "2007-08-29",
        "2007-08-30",
        "2007-08-31",
        "2007-09-03",
        "2007-09-04",
        "2007-09-05",
        "2007-09-06",
    ):
        run_tick(campaign_id=campaign_id, as_of=at(day), url=db_url)
    session.expire_all()
    mails = session.exec(select(OutboxMessage)).all()
    keys = {(m.bureau_code, m.key.split(":")[0], m.key) for m in mails}
    huangshi = sorted(
        k for code, kind, k in keys if code == "420200" and kind == "reminder" and ":forward:" in k
    )
    assert huangshi, keys
    assert requests_of(session, FORWARD_DUTY)["420200"].status == RequestStatus.overdue
    from datetime import date

    from campaign.forwarding.status import forward_states

    states = forward_states(
        session=session, campaign_id=campaign_id, within=None, today=date(2007, 9, 6)
    )
    assert [(s.unit_code, s.shown, s.document_number) for s in states] == [
        ("420100", "已转发", "武质监发〔2007〕12号"),
        ("420200", "逾期未转发", ""),
    ]
    mine = forward_states(
        session=session, campaign_id=campaign_id, within=frozenset({"420200", "420204"}),
        today=date(2007, 9, 6),
    )  # fmt: skip
    assert [s.unit_code for s in mine] == ["420200"]
    to_province = [
        m for m in mails if m.bureau_code == "420000" and m.key.startswith("escalation:")
    ]
    assert any("黄石市质量技术监督局" in m.text_body and "转发" in m.text_body for m in to_province)
    assert not any("武汉" in m.text_body and "转发" in m.text_body for m in to_province)
    county_reminders = [
        m for m in mails if m.bureau_code == "420102" and m.key.startswith("reminder:")
    ]
    assert county_reminders and "武汉市质量技术监督局下发的通知" in county_reminders[0].text_body
    to_city = [m for m in mails if m.bureau_code == "420100" and m.key.startswith("escalation:")]
    assert to_city and "江岸区质量技术监督局" in to_city[0].text_body
    assert not any("江岸区" in m.text_body for m in to_province)


def test_two_tabs_sending_at_once_store_one_forwarding(session: Session, db_url: str) -> None:
    import threading

    from campaign.db import get_engine

    campaign_id = launched(session, db_url)
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def tab(number: int) -> None:
        with Session(get_engine(db_url), expire_on_commit=False) as own:
            barrier.wait()
            try:
                done = forward(own, campaign_id, document_number=f"武质监发〔2007〕{number}号")
                outcomes.append(done.already)
            except Exception as exc:  # noqa: BLE001 (reported below)
                outcomes.append(exc)

    threads = [threading.Thread(target=tab, args=(n,)) for n in range(12, 16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes)) == ["False", "True", "True", "True"], outcomes
    session.expire_all()
    assert len(session.exec(select(ForwardRecord)).all()) == 1
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.notice == "forward")).all()
    assert sorted(m.bureau_code for m in mails) == ["420102", "420103"]


def test_an_amendment_keeps_the_chasing_of_the_counties_signatures(
    session: Session, db_url: str
) -> None:
    from datetime import date

    from campaign.orchestration.lifecycle import amend_dates
    from campaign.workdays import WorkCalendar
    from models.audit import Channel
    from models.campaign import Campaign
    from models.schedule import ScheduledEvent

    campaign_id = launched(session, db_url)
    forward(session, campaign_id)
    period = forwarded_period(WINDOW, "420100")

    def chased() -> list[str]:
        session.expire_all()
        rows = session.exec(select(ScheduledEvent).where(ScheduledEvent.period == period)).all()
        return sorted(r.key for r in rows)

    before = chased()
    assert f"escalation:acknowledgement:{period}" in before
    amend_dates(
        session=session,
        campaign=session.get_one(Campaign, campaign_id),
        window="acceptance",
        end=date(2007, 12, 20),
        start=None,
        work=WorkCalendar(),
        actor="office",
        channel=Channel.cli,
    )
    session.commit()
    assert chased() == before
