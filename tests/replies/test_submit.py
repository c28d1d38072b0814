"""submit_report on both databases: versions, status, lateness, audit, receipt e-mail."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from campaign.replies import ReportInvalid, RequestClosed, RequestSettled, submit_report
from campaign.replies.review import accept_submission
from models.audit import AuditEvent, Channel
from models.outbox import OutboxMessage
from models.reply import ReportCreate
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission
from replies.factories import (
    AFTER_DUE,
    BEFORE_DUE,
    NARRATIVE,
    World,
    count,
    valid_entries,
    weekly_request,
)


def answer(
    session: Session,
    request: ReportRequest,
    *,
    channel: Channel = Channel.cli,
    now: datetime = BEFORE_DUE,
    **changes: str,
) -> ReportSubmission:
    """submit_report of the valid progress report, with `changes` to its values."""
    report_in = ReportCreate(values={**valid_entries(), **changes}, narrative=NARRATIVE)
    return submit_report(
        session=session, link_or_request=request, report_in=report_in, channel=channel, now=now
    ).submission


def test_an_answer_is_stored_as_version_one_with_receipt_and_audit(
    session: Session, world: World
) -> None:
    submission = answer(session, world.request)
    session.commit()
    assert submission.version == 1 and submission.late is False
    assert submission.values["value_involved"] == "12.5"
    assert submission.values["pass_rate"] is None
    request = session.get(ReportRequest, world.request.id)
    assert request.status == RequestStatus.submitted and request.late is False
    events = session.exec(select(AuditEvent).where(AuditEvent.event == "answer_received")).all()
    assert [e.detail["submission_id"] for e in events] == [submission.id]
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.notice == "receipt")).one()
    assert mail.bureau_code == "420100" and mail.key == f"receipt:{submission.id}"
    assert "第1次报送" in mail.text_body and "抽查合格批次：37批次" in mail.text_body


def test_a_second_answer_is_a_new_version_and_the_first_is_kept(
    session: Session, world: World
) -> None:
    first = answer(session, world.request, channel=Channel.web)
    second = answer(session, world.request, channel=Channel.web, now=AFTER_DUE, inspections="90")
    session.commit()
    versions = session.exec(select(ReportSubmission).order_by(ReportSubmission.version)).all()
    assert [(v.version, v.values["inspections"], v.late) for v in versions] == [
        (1, "85", False),
        (2, "90", True),
    ]
    assert first.id != second.id
    assert session.get(ReportRequest, world.request.id).late is True


def test_invalid_answer_stores_nothing(session: Session, world: World) -> None:
    with pytest.raises(ReportInvalid) as caught:
        answer(session, world.request, qualified_batches="41")
    session.rollback()
    assert [p.message for p in caught.value.problems] == [
        "“抽查合格批次”（41）不能大于“监督抽查批次”（40）"
    ]
    assert count(session, ReportSubmission) == 0 and count(session, OutboxMessage) == 0
    assert session.get(ReportRequest, world.request.id).status == RequestStatus.open


def test_cumulative_figures_never_fall_below_the_last_accepted_report(
    session: Session, world: World
) -> None:
    week36 = weekly_request(session, world.campaign, "420100", week=36)
    earlier = answer(session, week36, sampled_batches="45", qualified_batches="40")
    accept_submission(session=session, submission_id=earlier.id, reviewer="张三", now=BEFORE_DUE)
    session.commit()
    with pytest.raises(ReportInvalid) as caught:
        answer(session, world.request)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        (
            "sampled_batches",
            "“监督抽查批次”为累计数，不能小于上次审核通过的报告（第3周（9月3日—9月9日）：45批次）",
        ),
        (
            "qualified_batches",
            "“抽查合格批次”为累计数，不能小于上次审核通过的报告（第3周（9月3日—9月9日）：40批次）",
        ),
    ]
    again = answer(session, world.request, sampled_batches="45", qualified_batches="41")
    assert again.version == 1


def test_closed_and_accepted_requests_refuse_answers(session: Session, world: World) -> None:
    request = session.get(ReportRequest, world.request.id)
    request.status = RequestStatus.closed
    session.commit()
    with pytest.raises(RequestClosed) as closed:
        answer(session, request)
    assert closed.value.message == (
        "本次报送已关闭，不再接收。如有特殊情况，请联系省局产品质量和食品安全专项整治工作领导小组办公室"
        "（联系人：领导小组办公室联络员，电话：027-00000000，邮箱：zxzz-office@hbqts.example.org）。"
    )
    request.status = RequestStatus.accepted
    session.commit()
    with pytest.raises(RequestSettled):
        answer(session, request)
    assert count(session, ReportSubmission) == 0
