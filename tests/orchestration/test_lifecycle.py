"""Launch, pause, resume, cancel and amend, on both databases; each change audited."""

from __future__ import annotations

from datetime import date

import pytest
from orchestration_support import at
from sqlmodel import select

from campaign.orchestration.launch import CampaignExists, find_campaign, validated_plan
from campaign.orchestration.lifecycle import LifecycleError, amend_dates, change_status
from campaign.orchestration.tick import run_tick
from campaign.plan import PlanError
from campaign.workdays import WorkCalendar
from models.audit import AuditEvent
from models.campaign import Campaign, CampaignStatus
from models.request import ReportRequest, RequestStatus
from models.schedule import ScheduledEvent


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (CAMPAIGN_LANGUAGE=en); people see Chinese by
    default (tests/cli/test_language.py)."""
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


def audit_names(session) -> list[str]:
    return [e.event for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_launch_stores_the_plan_and_its_schedule(session, hubei_campaign, hubei_plan_text):
    campaign = session.get(Campaign, hubei_campaign)
    assert campaign.plan_yaml == hubei_plan_text
    assert len(campaign.plan_sha256) == 64 and campaign.timezone == "Asia/Shanghai"
    events = session.exec(select(ScheduledEvent)).all()
    # 105 before reminders fell on working days only: after-due reminders of a Friday's due
    # date move from Saturday onto Monday's +3 and are sent once, and W40's -1 (10-07,
    # National Day) would move to 09-30, before its request of 10-01, and is dropped
    assert len(events) == 93 and all(e.completed_at is None for e in events)
    assert audit_names(session) == ["campaign_launched"]


def test_launching_a_document_twice_names_the_existing_campaign(session, hubei_campaign, launch):
    with pytest.raises(CampaignExists, match=rf"already launched as campaign {hubei_campaign}\b"):
        launch()


def test_a_campaign_is_found_by_id_or_document_number(session, hubei_campaign):
    assert find_campaign(session=session, ref=str(hubei_campaign)).id == hubei_campaign
    assert find_campaign(session=session, ref="鄂质监发〔2007〕77号").id == hubei_campaign


def test_an_invalid_plan_is_refused_with_the_validate_problems(hubei_plan_text):
    broken = hubei_plan_text.replace("end: 2007-08-31", "end: 2007-07-31", 1)
    with pytest.raises(PlanError) as caught:
        validated_plan(broken.encode(), "pasted")
    assert "phase ends (2007-07-31) before it starts (2007-08-10)" in str(caught.value)
    assert caught.value.problems[0].line is not None


def test_pause_resume_cancel(session, hubei_campaign):
    campaign = session.get(Campaign, hubei_campaign)
    change_status(session=session, campaign=campaign, command="pause", actor="王", channel="cli")
    with pytest.raises(LifecycleError):
        change_status(
            session=session, campaign=campaign, command="pause", actor="王", channel="cli"
        )
    change_status(session=session, campaign=campaign, command="resume", actor="王", channel="cli")
    session.commit()
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-27"))  # requests and the 通知
    session.rollback()
    campaign = session.get(Campaign, hubei_campaign)
    change_status(
        session=session,
        campaign=campaign,
        command="cancel",
        actor="王",
        channel="cli",
        reason="撤销",
    )
    session.commit()
    assert campaign.status == CampaignStatus.cancelled
    assert {r.status for r in session.exec(select(ReportRequest)).all()} == {RequestStatus.closed}
    names = audit_names(session)
    assert names[:3] == ["campaign_launched", "campaign_paused", "campaign_resumed"]
    assert names[-1] == "campaign_cancelled"
    assert names.count("request_closed") == 17 * 3  # two weekly reports and the 签收 each
    entry = session.exec(select(AuditEvent).where(AuditEvent.event == "campaign_paused")).one()
    assert (entry.actor, entry.channel) == ("王", "cli")


def test_amending_an_action_keeps_done_events_and_redates_open_requests(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-17"))
    session.rollback()
    campaign = session.get(Campaign, hubei_campaign)
    done_before = {e.key for e in session.exec(select(ScheduledEvent)).all() if e.completed_at}
    result = amend_dates(
        session=session,
        campaign=campaign,
        window="market-access",
        end=date(2007, 9, 25),
        start=None,
        work=WorkCalendar(),
        actor="王",
        channel="cli",
    )
    session.commit()
    assert result.old == (date(2007, 8, 20), date(2007, 9, 20))
    events = {e.key: e for e in session.exec(select(ScheduledEvent)).all()}
    assert done_before <= {k for k, e in events.items() if e.completed_at}
    # the stage summary of market-access now opens after the new end, due five days later
    assert events["stage_summary:stage-summary:market-access"].due == date(2007, 9, 30)
    assert "stage_summary:stage-summary:market-access" in result.schedule.moved
    assert result.schedule.kept_done == len(done_before)
    assert "end: 2007-09-25" in campaign.plan_yaml
    entry = session.exec(select(AuditEvent).where(AuditEvent.event == "dates_amended")).one()
    assert entry.detail["new"] == ["2007-08-20", "2007-09-25"]


def test_an_amendment_that_breaks_the_plan_is_refused(session, hubei_campaign):
    campaign = session.get(Campaign, hubei_campaign)
    with pytest.raises(PlanError, match="lies outside its phase"):
        amend_dates(
            session=session,
            campaign=campaign,
            window="workshops",
            end=date(2007, 11, 30),
            start=None,
            work=WorkCalendar(),
            actor="王",
            channel="cli",
        )
