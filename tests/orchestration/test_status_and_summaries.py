"""Stage summaries compiled after their deadline, and the campaign's standing."""

from __future__ import annotations

from orchestration_support import answer, at
from sqlmodel import select

from campaign.orchestration.status import campaign_standing
from campaign.orchestration.tick import run_tick
from campaign.replies.review import accept_submission
from models.request import ReportRequest
from models.submission import ReportSubmission
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


def accept(session, campaign_id: int, duty: str, period: str, code: str) -> None:  # type: ignore[no-untyped-def]
    """The coordinator accepts the bureau's latest answer for the period."""
    session.rollback()
    submission = session.exec(
        select(ReportSubmission)
        .join(ReportRequest, ReportSubmission.request_id == ReportRequest.id)  # type: ignore[arg-type]
        .where(
            ReportRequest.campaign_id == campaign_id,
            ReportRequest.duty_key == duty,
            ReportRequest.period_key == period,
            ReportRequest.bureau_code == code,
        )
        .order_by(ReportSubmission.version.desc())  # type: ignore[attr-defined]
    ).first()
    accept_submission(session=session, submission_id=submission.id, reviewer="协调员")
    session.commit()


def summary_versions(session, key: str) -> list[CampaignSummary]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(
        session.exec(
            select(CampaignSummary)
            .where(CampaignSummary.key == key)
            .order_by(CampaignSummary.version)  # type: ignore[arg-type]
        ).all()
    )


MARKET = "summary:stage-summary:market-access"


def test_the_stage_summary_evaluates_targets_after_its_deadline(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-03"))
    answer(session, hubei_campaign, "stage-summary", "mobilization", "420100")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-17"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420100", **FIGURES)
    poor = FIGURES | {"licensed_enterprises": 150, "self_testing": 150, "qualified_batches": 70}
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420200", **poor)
    accept(session, hubei_campaign, "weekly-progress", "2007-W37", "420100")
    accept(session, hubei_campaign, "weekly-progress", "2007-W37", "420200")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-25"))
    assert [s.key for s in session.exec(select(CampaignSummary)).all()] == [
        "summary:stage-summary:mobilization"  # compiled 09-06, the day after it was due
    ]
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-26"))
    (summary,) = summary_versions(session, MARKET)
    targets = {t["key"]: t for t in summary.result["targets"]}
    license_rate = targets["license-rate"]
    assert license_rate["failing"] == ["黄石市质量技术监督局"]  # by name
    assert license_rate["met"] is False
    assert targets["sampling-pass-rate"]["value"] == "81"  # (92 + 70) / 200
    assert len(license_rate["missing"]) == 15  # no data, not failures
    assert summary.result["stage"]["key"] == "market-access"
    (mobilization,) = summary_versions(session, "summary:stage-summary:mobilization")
    wuhan = next(u for u in mobilization.result["by_unit"] if u["unit"] == "420100")
    assert wuhan["reported"] >= 1 and mobilization.version == 1


def test_a_late_report_and_a_correction_recompile_the_summary_as_new_versions(
    session, hubei_campaign
):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-17"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W36", "420100", **FIGURES)
    accept(session, hubei_campaign, "weekly-progress", "2007-W36", "420100")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-26"))
    (first,) = summary_versions(session, MARKET)
    # Huangshi reports late; the coordinator accepts; the next tick recompiles.
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420200", **FIGURES)
    accept(session, hubei_campaign, "weekly-progress", "2007-W37", "420200")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-27"))
    first_again, second = summary_versions(session, MARKET)
    assert (first_again.id, first_again.result) == (first.id, first.result)  # kept
    assert second.version == 2
    changed = {c["item"]: (c["before"], c["after"]) for c in second.changes}
    assert changed["黄石市质量技术监督局：食品生产加工企业生产许可证获证率"] == (
        "无数据（未报）",
        "100%",
    )
    assert second.result["notes"][0].startswith("与第1版相比：")
    # A tick with nothing new adds no version, twice.
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-28"))
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-28"))
    assert len(summary_versions(session, MARKET)) == 2
    # Wuhan's next report (late, accepted) stands lower: version 3 says so.
    lower = FIGURES | {"licensed_enterprises": 150, "self_testing": 150}
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420100", **lower)
    accept(session, hubei_campaign, "weekly-progress", "2007-W37", "420100")
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-29"))
    third = summary_versions(session, MARKET)[-1]
    assert third.version == 3
    assert (
        "武汉市质量技术监督局：食品生产加工企业生产许可证获证率由100%下调为75%"
        in third.result["notes"][0]
    )


def test_standing_shows_phases_deadlines_and_each_bureau(session, hubei_campaign):
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-08-23"))
    answer(session, hubei_campaign, "weekly-progress", "2007-W34", "420100", **FIGURES)
    standing = campaign_standing(
        session=session, campaign_id=hubei_campaign, as_of=at("2007-08-23")
    )
    assert [p["key"] for p in standing.active_phases] == ["mobilization", "implementation"]
    # W34's +1 (Saturday 08-25) falls on Monday 08-27 with its +3 (working days only)
    assert [(e["date"], e["key"]) for e in standing.next_events[:3]] == [
        ("2007-08-27", "directive:mobilization"),
        ("2007-08-27", "request:weekly-progress:2007-W35"),
        ("2007-08-27", "reminder:weekly-progress:2007-W34:+3"),
    ]
    wuhan = next(b for b in standing.bureaus if b.code == "420100")
    assert wuhan.done == ["动态信息 8月20日至8月26日"]
    assert wuhan.late == []  # the plan's 通知, to be acknowledged, goes out 08-27
    assert wuhan.outstanding == []
    huangshi = next(b for b in standing.bureaus if b.code == "420200")
    assert huangshi.outstanding == ["动态信息 8月20日至8月26日"]
    assert (standing.reports_expected, standing.reports_received) == (17, 1)
    assert 0 < standing.timeline_percent < 20
    data = standing.to_json()
    assert data["bureaus"][0]["code"] == "420100" and data["reports_percent"] == 5.9


def test_a_concurrent_run_storing_the_same_version_adds_nothing(session, hubei_campaign):
    from datetime import date

    from campaign.orchestration.summaries import store_version, versions
    from campaign.schedule import Event

    event = Event(date=date(2007, 12, 10), kind="acceptance", key="acceptance:x", phase="验收",
                  phase_key="acceptance")  # fmt: skip
    result = {"reports": {"reported": 1}, "notes": [], "stage": {}}
    first = store_version(session=session, campaign_id=hubei_campaign, event=event,
                          result=result, basis="a", as_of=at("2007-12-10"))  # fmt: skip
    changed = {**result, "reports": {"reported": 2}}
    second = store_version(session=session, campaign_id=hubei_campaign, event=event,
                           result=changed, basis="b", as_of=at("2007-12-11"))  # fmt: skip
    # Another run that read version 1 as the latest tries version 2 too: refused, quietly.
    third = {**result, "reports": {"reported": 3}}
    lost = store_version(session=session, campaign_id=hubei_campaign, event=event, result=third,
                         basis="c", as_of=at("2007-12-11"), previous=first)  # fmt: skip
    session.commit()
    assert lost is None and second is not None and second.version == 2
    assert [v.version for v in versions(session, hubei_campaign, "acceptance:x")] == [1, 2]
    assert second.changes == [{"item": "报送情况：已报", "before": "1", "after": "2"}]


def test_an_answer_recompiles_only_the_summaries_of_its_window(
    session, hubei_campaign, monkeypatch
):
    from campaign.orchestration import summaries

    compiled: list[str] = []
    real = summaries.compiled_result

    def counted(session, campaign_id, frames, plan, event, tasks=None):  # type: ignore[no-untyped-def]
        compiled.append(event.key)
        return real(session, campaign_id, frames, plan, event, tasks)

    monkeypatch.setattr(summaries, "compiled_result", counted)
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-26"))
    assert {s.key for s in session.exec(select(CampaignSummary)).all()} == {
        "summary:stage-summary:mobilization",
        MARKET,
    }
    mobilization = "summary:stage-summary:mobilization"
    before = summary_versions(session, mobilization)[-1].basis
    # Huangshi answers W37 late: an input of the market-access window (08-20 to 09-20),
    # not of mobilization's (08-10 to 08-31).
    answer(session, hubei_campaign, "weekly-progress", "2007-W37", "420200", **FIGURES)
    accept(session, hubei_campaign, "weekly-progress", "2007-W37", "420200")
    compiled.clear()
    run_tick(campaign_id=hubei_campaign, as_of=at("2007-09-27"))
    assert compiled == [MARKET]  # recompiled, and a second version says what changed
    assert [s.version for s in summary_versions(session, MARKET)] == [1, 2]
    (kept,) = summary_versions(session, mobilization)
    assert kept.basis != before  # brought up to date without compiling
    assert kept.basis.split("#")[1] == before.split("#")[1]
