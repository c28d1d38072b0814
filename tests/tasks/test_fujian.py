"""The Fujian 2017 plan: tracked tasks of internal 处室 requested, chased and escalated by
the one pipeline, their states in the ledger, status and summaries; end to end."""

from __future__ import annotations

import mailbox
from datetime import date
from pathlib import Path

from sqlmodel import select

from campaign import db as dbmod
from campaign.bureaus import units_of_csv
from campaign.demo.run import simulate
from campaign.orchestration.status import campaign_standing
from campaign.orchestration.tick import run_tick
from campaign.plan import load_plan
from campaign.plan.reach import launch_problems, registry_warnings
from campaign.plan.units import Registry, resolve_units
from campaign.schedule import build_schedule
from models.audit import AuditEvent
from models.ledger import ActionRecord
from models.request import ReportRequest
from models.summary import CampaignSummary
from models.task import TrackedTask
from tests.orchestration.orchestration_support import answer, at
from tests.support.fujian import FUJIAN_PLAN, FUJIAN_UNITS, launch_fujian

OFFICE, LAW, SERVICE, FINANCE = "350001", "350002", "350003", "350009"


def test_the_plan_schedules_its_tasks_like_reports() -> None:
    plan = load_plan(FUJIAN_PLAN)
    events = build_schedule(plan)
    tasks = [e for e in events if e.kind == "task_progress"]
    assert len(tasks) == 18  # 任务分解 1–14 and 工作保障 (一)–(四)
    first = [e for e in tasks if e.phase_key == "implementation"]
    assert {(e.date, e.due) for e in first} == {(date(2017, 5, 27), date(2017, 11, 30))}
    by_key = {e.key.split(":", 2)[1]: e for e in tasks}
    assert by_key["inspection"].date == date(2017, 12, 1)
    # 12-31 is a Sunday of the 元旦 holiday (12-30 to 01-01): moved to Tuesday 01-02
    assert by_key["inspection"].due == date(2018, 1, 2)
    chase = sorted((e.date, e.kind) for e in events if e.duty == "budgets-and-fees")
    assert [d for d, _ in chase] == [
        date(2017, 5, 27),  # asked with the notice
        date(2017, 11, 29),  # reminded the day before
        date(2017, 12, 1),  # and the day after (11-30 is a Thursday)
        date(2017, 12, 5),  # three working days late: the office is told
    ]
    assert [e.date for e in events if e.duty == "inspection"] == [
        date(2017, 12, 1),
        # its own policy: three days before the moved due, nothing after; 12-30 is a day of
        # the 元旦 holiday, so the reminder moves to the working day before, Friday 12-29
        date(2017, 12, 29),
    ]
    assert [e.kind for e in events if e.kind == "directive"] == ["directive"]  # one notice
    assert plan.duty("policy-disclosure").reporters.units == {
        "办公室",
        "法规与行政审批处",
        "行政服务中心",
    }


def test_the_plan_addresses_its_divisions_and_affiliates_by_kind() -> None:
    plan = load_plan(FUJIAN_PLAN)
    units = units_of_csv(FUJIAN_UNITS.read_bytes())
    registry = Registry.of(units, root=plan.root_bureau, groups=plan.groups)
    kinds = {u.code: (u.kind, u.level) for u in registry.units.values()}
    assert kinds[OFFICE] == ("division", "province")  # a 处室 shares its bureau's level
    assert kinds[SERVICE] == ("affiliate", "province")  # 行政服务中心 is not a 处室
    assert kinds["350101"] == ("affiliate", "province")
    addressed = [u.code for u in resolve_units(plan.directive_to, registry)]
    assert len(addressed) == 16 and "350000" not in addressed  # not the bureau itself
    assert plan.directive_to.label == "省局机关各处室、直属各单位"
    reporting = plan.duty("implementation").reporters
    assert [u.code for u in resolve_units(reporting, registry)] == addressed
    assert launch_problems(plan, registry) == []
    assert registry_warnings(plan, registry) == []


def test_task_states_come_from_the_units_reports(session) -> None:
    campaign_id = launch_fujian(session)
    run_tick(campaign_id=campaign_id, as_of=at("2017-05-27"))
    session.rollback()
    asked = session.exec(
        select(ReportRequest.bureau_code).where(ReportRequest.duty_key == "policy-disclosure")
    ).all()
    assert sorted(asked) == [OFFICE, LAW, SERVICE]  # its 责任单位 by name; 相关处室 is none
    period = session.exec(
        select(ReportRequest.period_key).where(ReportRequest.duty_key == "budgets-and-fees")
    ).one()
    answer(session, campaign_id, "budgets-and-fees", period, FINANCE, document="http://x/yjs")
    own = session.exec(
        select(ReportRequest.period_key).where(
            ReportRequest.duty_key == "implementation", ReportRequest.bureau_code == FINANCE
        )
    ).one()
    answer(session, campaign_id, "implementation", own, FINANCE)  # its 意见落实情况
    answer(session, campaign_id, "policy-disclosure", period, OFFICE, completed=1)
    answer(session, campaign_id, "policy-disclosure", period, LAW, completed=0)
    run_tick(campaign_id=campaign_id, as_of=at("2017-11-29"))
    session.rollback()
    states = dict(session.exec(select(TrackedTask.task_key, TrackedTask.state)).all())
    assert states["budgets-and-fees"] == "done"
    assert states["policy-disclosure"] == "in_progress"
    assert states["leadership"] == "not_started"
    reminded = {
        (r.action, r.bureau_code)
        for r in session.exec(select(ActionRecord)).all()
        if r.action.startswith("reminder:") and r.state == "done"
    }
    assert ("reminder:policy-disclosure:-1", SERVICE) in reminded
    assert ("reminder:policy-disclosure:-1", OFFICE) not in reminded  # they have answered
    assert ("reminder:policy-disclosure:-1", LAW) not in reminded
    assert not any(a.startswith("reminder:budgets-and-fees") for a, _ in reminded)

    run_tick(campaign_id=campaign_id, as_of=at("2017-12-05"))
    session.rollback()
    states = dict(session.exec(select(TrackedTask.task_key, TrackedTask.state)).all())
    assert states["policy-disclosure"] == "overdue" and states["leadership"] == "overdue"
    assert states["budgets-and-fees"] == "done"
    escalated = {
        r.action
        for r in session.exec(select(ActionRecord)).all()
        if r.action.startswith("escalation:")
    }
    assert "escalation:policy-disclosure" in escalated
    assert "escalation:budgets-and-fees" not in escalated
    changes = session.exec(select(AuditEvent).where(AuditEvent.event == "task_state_changed"))
    moved = [(e.detail["task"], e.detail["state"]) for e in changes.all()]
    assert moved.count(("policy-disclosure", "overdue")) == 1  # once, however many ticks

    standing = campaign_standing(session=session, campaign_id=campaign_id, as_of=at("2017-12-05"))
    ledger = {t["key"]: t for t in standing.tasks}
    assert len(ledger) == 18 and ledger["policy-disclosure"]["state_label"] == "逾期"
    assert ledger["policy-disclosure"]["units_pending"] == ["法规与行政审批处", "行政服务中心"]

    summary = session.exec(
        select(CampaignSummary).where(CampaignSummary.key.startswith("summary:implementation"))
    ).one()
    not_done = [t["key"] for t in summary.result["tasks_not_done"]]
    assert "policy-disclosure" in not_done and "budgets-and-fees" not in not_done
    rules = {r["measure"]: r["units"] for r in summary.result["accountability"]}
    assert "计财科技处" not in rules["通报批评"]  # reported everything on time
    assert "行政服务中心" in rules["约谈"]  # late twice at least, and overdue tasks
    assert len(rules["纳入绩效考核"]) == 16  # every unit


def test_the_plan_runs_end_to_end(tmp_path: Path) -> None:
    try:
        result = simulate(
            plan_path=FUJIAN_PLAN,
            data_dir=tmp_path / "fujian",
            registry=FUJIAN_UNITS.read_bytes(),
            seed=1,
            prefect=False,
            echo=lambda _line: None,
        )
        with dbmod.session_scope() as session:
            acceptance = session.exec(
                select(CampaignSummary).where(CampaignSummary.kind == "acceptance")
            ).one()
            result_json = acceptance.result
    finally:
        dbmod.reset()
    assert result.status == "completed" and result.units == 16
    assert len(result_json["tasks"]) == 18
    assert {t["state"] for t in result_json["tasks"]} <= {
        "done",
        "overdue",
        "in_progress",
        "not_started",
    }
    assert [r["measure"] for r in result_json["accountability"]] == [
        "通报批评",
        "约谈",
        "纳入绩效考核",
    ]
    messages = mailbox.Maildir(tmp_path / "fujian" / "maildir", create=False)
    assert len(messages) > 0
    assert _foreign(messages) == []  # no mail carries another plan's words


FOREIGN = ("各市州局", "专项整治", "市州", "省局制定了")


def _foreign(messages: mailbox.Maildir) -> list[str]:
    """Wording of another plan in what the Fujian units received."""
    found = []
    for message in messages:
        for part in message.walk():
            if part.get_content_maintype() != "text":
                continue
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            found += [w for w in FOREIGN if w in text or w in str(message["Subject"] or "")]
    return sorted(set(found))
