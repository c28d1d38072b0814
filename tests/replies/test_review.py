"""Review, 签收, ad-hoc reports and links as plain functions (SQLite)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from campaign.links import resolve_token
from campaign.replies import acknowledge, submit_report
from campaign.replies.errors import WrongLink
from campaign.replies.links_admin import LinkAdminError, reissue, revoke
from campaign.replies.review import ReviewError, accept_submission, return_submission, review_queue
from models.audit import AuditEvent
from models.link import LinkPurpose, ReplyLink
from models.outbox import OutboxMessage
from models.reply import ReportCreate
from models.request import ReportRequest, RequestStatus
from replies.factories import AFTER_DUE, BEFORE_DUE, NARRATIVE, World, valid_entries

REPORT = ReportCreate(values=valid_entries(), narrative=NARRATIVE)


def _submit(session: Session, world: World, now=BEFORE_DUE):  # type: ignore[no-untyped-def]
    return submit_report(
        session=session, link_or_request=world.request, report_in=REPORT, channel="cli", now=now
    ).submission


def test_only_the_newest_pending_version_can_be_reviewed(
    lite_session: Session, lite_world: World
) -> None:
    first = _submit(lite_session, lite_world)
    second = _submit(lite_session, lite_world)
    with pytest.raises(ReviewError, match="已有更新的第2版"):
        accept_submission(session=lite_session, submission_id=first.id, reviewer="张三")
    accept_submission(session=lite_session, submission_id=second.id, reviewer="张三", now=AFTER_DUE)
    with pytest.raises(ReviewError, match="已审核"):
        return_submission(
            session=lite_session, submission_id=second.id, reviewer="张三", comment="改"
        )
    with pytest.raises(ReviewError, match="没有编号为999的报送记录"):
        accept_submission(session=lite_session, submission_id=999, reviewer="张三")
    assert [i.submission.id for i in review_queue(session=lite_session)] == [first.id]
    assert [i.submission.id for i in review_queue(session=lite_session, status=None)] == [
        second.id,
        first.id,
    ]


def test_return_counts_working_days_over_the_national_day_holiday(
    lite_session: Session, lite_world: World
) -> None:
    submission = _submit(lite_session, lite_world)
    from datetime import datetime

    from replies.factories import BEIJING

    returned = return_submission(
        session=lite_session,
        submission_id=submission.id,
        reviewer="张三",
        comment="请补充情况说明",
        working_days=2,
        now=datetime(2007, 9, 28, 16, 0, tzinfo=BEIJING),
    )
    # 2007: Sept 29-30 were 调休 working days, Oct 1-7 the National Day holiday.
    assert returned.due == date(2007, 9, 30)
    request = lite_session.get(ReportRequest, lite_world.request.id)
    assert request.status == RequestStatus.returned and request.due_date == date(2007, 9, 30)
    assert resolve_token(session=lite_session, token=lite_world.tokens["wuhan"]) is None
    token = returned.link_url.rsplit("/", 1)[1]
    assert resolve_token(session=lite_session, token=token).request_id == request.id
    mail = lite_session.exec(select(OutboxMessage).where(OutboxMessage.notice == "returned")).one()
    assert "请补充情况说明" in mail.text_body and returned.link_url in mail.text_body
    again = submit_report(
        session=lite_session,
        link_or_request=request,
        report_in=REPORT,
        channel="cli",
        now=AFTER_DUE,
    ).submission
    assert again.version == 2 and request.status == RequestStatus.submitted


def test_acknowledge_once_with_audit_and_receipt(lite_session: Session, lite_world: World) -> None:
    ack = lite_world.requests["ack"]
    first = acknowledge(session=lite_session, link_or_request=ack, channel="cli", now=BEFORE_DUE)
    second = acknowledge(session=lite_session, link_or_request=ack, channel="cli", now=AFTER_DUE)
    assert (first.already, second.already) == (False, True)
    assert first.request.status == RequestStatus.accepted and first.request.late is True
    assert (
        len(
            lite_session.exec(
                select(AuditEvent).where(AuditEvent.event == "directive_acknowledged")
            ).all()
        )
        == 1
    )
    mail = lite_session.exec(select(OutboxMessage)).one()
    assert mail.notice == "acknowledgement" and "关于开展市场准入集中检查的通知" in mail.text_body
    with pytest.raises(WrongLink):
        submit_report(session=lite_session, link_or_request=ack, report_in=REPORT, channel="cli")
    with pytest.raises(WrongLink):
        acknowledge(session=lite_session, link_or_request=lite_world.request, channel="cli")


def test_links_are_revoked_and_reissued_by_the_coordinator(
    lite_session: Session, lite_world: World
) -> None:
    campaign_id = lite_world.campaign.id
    issued = reissue(
        session=lite_session,
        campaign_id=campaign_id,
        bureau_code="420100",
        purpose=LinkPurpose.ad_hoc,
        actor="张三",
    )
    assert resolve_token(session=lite_session, token=lite_world.tokens["ad_hoc"]) is None
    assert resolve_token(session=lite_session, token=issued.token) is not None
    assert issued.url.startswith("http://127.0.0.1:8000/r/")
    count = revoke(
        session=lite_session, campaign_id=campaign_id, bureau_code="420100", actor="张三"
    )
    assert count == 3  # the report, 签收 and new ad-hoc links of 420100
    live = select(ReplyLink).where(col(ReplyLink.revoked_at).is_(None))
    assert lite_session.exec(live).all()[0].bureau_code == "420200"  # noqa: E711
    with pytest.raises(LinkAdminError, match="须给出报送要求编号"):
        reissue(
            session=lite_session,
            campaign_id=campaign_id,
            bureau_code="420100",
            purpose=LinkPurpose.report,
            actor="x",
        )
    with pytest.raises(LinkAdminError, match="不属于工作方案 1 中的单位 420100"):
        reissue(
            session=lite_session,
            campaign_id=campaign_id,
            bureau_code="420100",
            purpose=LinkPurpose.report,
            request_id=lite_world.requests["huangshi"].id,
            actor="x",
        )
    events = lite_session.exec(select(AuditEvent.event)).all()
    assert events == ["link_issued", "links_revoked"]


@pytest.mark.parametrize("days", [0, -1, 61, 100_000_000])
def test_working_days_out_of_bounds_are_refused_before_anything_changes(
    lite_session: Session, lite_world: World, days: int
) -> None:
    """`campaign review return ID --working-days 100000000` once ran until date overflowed."""
    from typer.testing import CliRunner

    from campaign.cli import app

    submission = _submit(lite_session, lite_world)
    lite_session.commit()
    result = CliRunner().invoke(
        app,
        [
            "review",
            "return",
            str(submission.id),
            "--comment",
            "请核实",
            "--working-days",
            str(days),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"无法退回：新的报送期限须为1至60个工作日（收到的是{days}）"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lite_session.expire_all()
    assert lite_session.get(ReportRequest, lite_world.request.id).status == RequestStatus.submitted
    returned = select(OutboxMessage).where(OutboxMessage.notice == "returned")
    assert lite_session.exec(returned).all() == []
