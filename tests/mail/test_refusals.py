"""Bad input is refused with a clear reason before anything is stored; a recipient that cannot
be addressed fails its own message only (stored failed, never sent); the rest goes out."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from campaign.mail.errors import MailRefused
from campaign.mail.notices import (
    queue_directive,
    queue_notice,
    queue_rejection,
    queue_request,
)
from campaign.mail.sender import send_pending
from campaign.schedule import build_schedule
from models.audit import AuditEvent
from models.bureau import Bureau, BureauLevel
from models.outbox import MailState, OutboxBlob, OutboxMessage
from tests.mail.conftest import stored

ACKNOWLEDGED = datetime(2007, 8, 21, 9, 30)


def count(session: Session, model) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(model)).one()


def bad_bureau(session: Session, code: str, **fields: str) -> Bureau:
    values = {"name": f"测试{code}局", "email": f"b{code}@bureaus.example.org", **fields}
    bureau = Bureau(code=code, parent_code="420000", level=BureauLevel.city, **values)
    session.add(bureau)
    session.commit()
    return bureau


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"name": "武汉市质量技术监督局\r\nBcc: all@elsewhere.example.org"}, "line break"),
        ({"name": "武汉市\x0b质量技术监督局"}, "control characters"),
        ({"name": "武汉市质量技术监督局\x1f"}, "control characters"),
        ({"email": "not-an-address"}, "not a valid e-mail address"),
        ({"email": "a@b.org\r\nBcc: x@y.org"}, "line break"),
    ],
)
def test_a_bad_bureau_fails_its_own_message_and_the_batch_goes_out(
    session: Session, db_url, campaign, cities, hubei_plan, mailserver, fields, reason
) -> None:
    """Whatever is stored about a bureau, queueing its notice does not raise (a tick would
    die of it and no bureau get the directive): its message is stored failed, with the
    reason and an audit event, and never sent."""
    event = next(e for e in build_schedule(hubei_plan) if e.kind == "directive")
    bad = bad_bureau(session, "429999", **fields)
    for bureau in [cities[0], bad, cities[1]]:
        queue_directive(
            session=session,
            campaign=campaign,
            plan=hubei_plan,
            event=event,
            bureau=bureau,
            link_url="http://127.0.0.1:8000/r/t",
        )
    session.commit()
    failed = session.exec(select(OutboxMessage).where(OutboxMessage.bureau_code == "429999")).one()
    assert failed.state == MailState.failed and reason in (failed.last_error or "")
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "mail_failed")).one()
    assert audit.bureau_code == "429999" and reason in audit.detail["reason"]
    assert send_pending(url=db_url).sent == 2
    assert sorted(e.recipients[0] for e in mailserver.received) == sorted(
        [cities[0].email, cities[1].email]
    )


def test_subject_with_line_break_from_data_is_refused(
    session: Session, campaign, cities, hubei_plan, make_request
) -> None:
    request = make_request(cities[0], period_label="8月27日\r\nBcc: all@elsewhere.example.org")
    with pytest.raises(MailRefused, match="subject contains a line break"):
        queue_rejection(
            session=session,
            campaign=campaign,
            plan=hubei_plan,
            request=request,
            bureau=cities[0],
            reasons=["表格缺少“指标代码”列"],
            link_url=None,
            key="rejection:1:abc",
        )
    assert count(session, OutboxMessage) == 0


def test_an_invalid_cc_fails_the_message(session: Session, campaign, cities, hubei_plan) -> None:
    message = queue_notice(
        session=session,
        campaign=campaign,
        plan=hubei_plan,
        bureau=cities[0],
        notice="acknowledgement",
        key="k",
        context={"request": None, "directive_title": "通知", "acknowledged_at": ACKNOWLEDGED},
        cc=["office@@x"],
    )
    session.commit()
    assert message.state == MailState.failed
    assert "cc recipient 'office@@x' is not a valid" in (message.last_error or "")


def test_template_error_is_refused_and_nothing_stored(
    session: Session, campaign, cities, hubei_plan, make_request, tmp_path: Path
) -> None:
    request = make_request(cities[0])
    to_wuhan = partial(queue_notice, session=session, campaign=campaign, bureau=cities[0])
    # A missing value: StrictUndefined fails the render (no blank request is ever sent).
    with pytest.raises(MailRefused, match=r"email/request\.subject\.txt failed: UndefinedError"):
        to_wuhan(plan=hubei_plan, notice="request", key="request:x", context={"request": request})
    # A plan's own template with a syntax error.
    folder = tmp_path / "plan-templates" / "email"
    folder.mkdir(parents=True)
    (folder / "reminder.txt").write_text("{{ bureau.name ", encoding="utf-8")
    campaign.plan_source = str(tmp_path / "plan.yaml")
    plan = hubei_plan.model_copy(update={"templates_dir": "plan-templates"})
    with pytest.raises(MailRefused, match=r"email/reminder\.txt failed: TemplateSyntaxError"):
        to_wuhan(
            plan=plan,
            notice="reminder",
            key="reminder:x",
            context={"request": request, "duty_name": "动态信息", "is_acknowledgement": False}
            | {"overdue_days": 1, "link_url": "http://x/r/t", "as_of": request.due_date},
        )
    with pytest.raises(MailRefused, match="unknown notice"):
        to_wuhan(plan=hubei_plan, notice="newsletter", key="n", context={})
    assert count(session, OutboxMessage) == 0


def test_a_plan_template_takes_precedence(
    session: Session, campaign, cities, hubei_plan, make_request, tmp_path: Path
) -> None:
    folder = tmp_path / "own" / "email"
    folder.mkdir(parents=True)
    (folder / "request.subject.txt").write_text(
        "【{{ plan.issuing_authority }}】{{ duty_name }}报送通知", encoding="utf-8"
    )
    campaign.plan_source = str(tmp_path / "plan.yaml")
    plan = hubei_plan.model_copy(update={"templates_dir": "own"})
    message = queue_request(
        session=session,
        campaign=campaign,
        plan=plan,
        request=make_request(cities[0]),
        bureau=cities[0],
        link_url="http://x/r/t",
    )
    assert message.subject == "【湖北省质量技术监督局】动态信息报送通知"
    assert "http://x/r/t" in message.text_body  # the product's body template still applies


def test_attachment_render_failure_is_refused_and_nothing_half_stored(
    session: Session, db_url, campaign, cities, hubei_plan, make_request, mailserver
) -> None:
    queue = partial(queue_request, session=session, campaign=campaign, plan=hubei_plan)
    with pytest.raises(MailRefused, match=r"\.xlsx table could not be rendered.*sampled_batches"):
        queue(
            request=make_request(cities[0]),
            bureau=cities[0],
            link_url="http://x/r/t",
            previous_values={"sampled_batches": "forty"},
        )
    assert count(session, OutboxMessage) == 0 and count(session, OutboxBlob) == 0
    queue(request=make_request(cities[1]), bureau=cities[1], link_url="http://x/r/u")
    session.commit()
    assert send_pending(url=db_url).sent == 1
    assert stored(mailserver)[0]["To"].addresses[0].addr_spec == cities[1].email
