"""Stage summaries compiled after their deadline, and the campaign's standing."""

from __future__ import annotations

from orchestration_support import answer, at
from sqlmodel import select

from campaign.orchestration.status import campaign_standing
from campaign.orchestration.tick import run_tick
from models.summary import CampaignSummary

FIGURES = dict(
    food_enterprises=200,
    licensed_enterprises=200,
    standard_registered=195,
    archived_enterprises=200,
    recall_committed=200,
    self_testing=200,
    sampled_batches=100,
    qualified_batches=92,
    workshop_staff=50,
    workshop_staff_trained=10,
)


def test_the_stage_summary_evaluates_targets_after_its_deadline(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-03"))
    answer(session, hubei_campaign, "stage-summary", "mobilization", "420100")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-17"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420100", **FIGURES)
    poor = FIGURES | {"licensed_enterprises": 150, "self_testing": 150, "qualified_batches": 70}
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420200", **poor)
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-25"))
    assert [s.key for s in session.exec(select(CampaignSummary)).all()] == [
        "summary:stage-summary:mobilization"  # compiled 09-06, the day after it was due
    ]
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-26"))
    session.rollback()
    summary = session.exec(
        select(CampaignSummary).where(CampaignSummary.key == "summary:stage-summary:market-access")
    ).one()
    targets = {t["key"]: t for t in summary.result["targets"]}
    assert targets["license-rate"]["failing"] == ["420200"]
    assert targets["license-rate"]["met"] is False
    assert targets["sampling-pass-rate"]["value"] == "81.00"  # (92 + 70) / 200
    assert len(targets["license-rate"]["missing"]) == 15
    reports = summary.result["reports"]
    assert (reports["expected"], reports["received"]) == (17, 0)
    mobilization = session.exec(
        select(CampaignSummary).where(CampaignSummary.key == "summary:stage-summary:mobilization")
    ).one()
    assert mobilization.result["reports"]["received"] == 1
    assert "420100" not in mobilization.result["reports"]["missing"]


def test_standing_shows_phases_deadlines_and_each_bureau(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-23"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W34", "420100", **FIGURES)
    standing = campaign_standing(
        session=session, campaign_id=hubei_campaign, as_of=at("2007-08-23")
    )
    assert [p["key"] for p in standing.active_phases] == ["mobilization", "implementation"]
    # the reminders of Saturday 08-25 fall on Monday 08-27 (working days only); W34's +1
    # merges with its +3 there
    assert [(e["date"], e["key"]) for e in standing.next_events[:3]] == [
        ("2007-08-27", "request:weekly-progress:2007-W35"),
        ("2007-08-27", "reminder:acknowledgement:implementation:+3"),
        ("2007-08-27", "reminder:weekly-progress:2007-W34:+3"),
    ]
    wuhan = next(b for b in standing.bureaus if b.code == "420100")
    assert wuhan.done == ["动态信息 8月20日至8月26日"]
    assert wuhan.late == ["签收 宣传发动阶段通知签收", "签收 实施阶段通知签收"]
    assert wuhan.outstanding == []
    huangshi = next(b for b in standing.bureaus if b.code == "420200")
    assert huangshi.outstanding == ["动态信息 8月20日至8月26日"]
    assert (standing.reports_expected, standing.reports_received) == (17, 1)
    assert 0 < standing.timeline_percent < 20
    data = standing.to_json()
    assert data["bureaus"][0]["code"] == "420100" and data["reports_percent"] == 5.9
