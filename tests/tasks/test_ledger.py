"""A tracked task's state from its units' reports, as plain functions."""

from __future__ import annotations

from datetime import date

import pytest

from campaign.plan import load_plan
from campaign.plan.schema import Deliverable, Task
from campaign.tasks.accountability import apply_rules, measures_for
from campaign.tasks.ledger import UnitProgress, delivered, not_done, task_entry, task_state
from models.task import TaskState
from tests.support.fujian import FUJIAN_PLAN

DONE = Deliverable(type="done", field="completed")
TASK = Task(
    key="t",
    title="公开目录",
    lead_units=["办公室", "计量处"],
    deadline=date(2017, 11, 30),
    form="f",
    deliverable=DONE,
)
BEFORE, AFTER = date(2017, 11, 30), date(2017, 12, 1)


def unit(code: str, completed: str | None = None) -> UnitProgress:
    values = None if completed is None else {"completed": completed}
    return UnitProgress(code=code, answered=completed is not None, values=values)


@pytest.mark.parametrize(
    ("deliverable", "values", "met"),
    [
        (DONE, {"completed": "1"}, True),
        (DONE, {"completed": "0"}, False),
        (DONE, {}, False),
        (Deliverable(type="figure", field="x", target=100), {"x": "100.0"}, True),
        (Deliverable(type="figure", field="x", target=100), {"x": "99.5"}, False),
        (Deliverable(type="document", field="doc"), {"doc": "闽质监〔2017〕1号"}, True),
        (Deliverable(type="document", field="doc"), {"doc": " "}, False),
    ],
)
def test_a_report_meets_the_deliverable_or_not(deliverable, values, met) -> None:
    assert delivered(deliverable, values) is met


def test_states_follow_the_reports_and_the_deadline() -> None:
    nobody = [unit("a"), unit("b")]
    assert task_state(TASK, nobody, BEFORE, None) is TaskState.not_started
    assert task_state(TASK, [unit("a", "0"), unit("b")], BEFORE, None) is TaskState.in_progress
    assert task_state(TASK, [unit("a", "1"), unit("b")], BEFORE, None) is TaskState.in_progress
    assert task_state(TASK, [unit("a", "1"), unit("b", "1")], BEFORE, None) is TaskState.done
    assert task_state(TASK, [unit("a", "1"), unit("b", "1")], AFTER, None) is TaskState.done
    assert task_state(TASK, [unit("a", "1"), unit("b", "0")], AFTER, None) is TaskState.overdue
    assert task_state(TASK, nobody, AFTER, None) is TaskState.overdue
    # no deadline of its own: the last due date of its progress reports
    progress_only = TASK.model_copy(update={"deadline": None})
    assert task_state(progress_only, nobody, AFTER, BEFORE) is TaskState.overdue
    assert task_state(progress_only, nobody, AFTER, AFTER) is TaskState.not_started


def test_the_ledger_lists_tasks_not_done_overdue_first() -> None:
    names = {"a": "办公室", "b": "计量处"}
    done = task_entry(TASK, "任务落实", [unit("a", "1"), unit("b", "1")], names, AFTER, None)
    late = task_entry(
        TASK.model_copy(update={"key": "late"}), "任务落实", [unit("a", "1"), unit("b")], names,
        AFTER, None,
    )  # fmt: skip
    fresh = task_entry(
        TASK.model_copy(update={"key": "fresh", "deadline": date(2017, 12, 31)}), "任务落实",
        [unit("a")], names, AFTER, None,
    )  # fmt: skip
    assert late.units_done == ["办公室"] and late.units_pending == ["计量处"]
    assert late.label == "逾期" and fresh.label == "未启动" and done.label == "已完成"
    assert [e.key for e in not_done([fresh, done, late])] == ["late", "fresh"]


def test_a_tracked_task_says_what_it_tracks() -> None:
    with pytest.raises(ValueError, match="deadline or a progress"):
        Task(key="t", title="x", lead_units=["办公室"], form="f", deliverable=DONE)
    with pytest.raises(ValueError, match="form and a deliverable"):
        Task(key="t", title="x", lead_units=["办公室"], deadline=date(2017, 11, 30))
    with pytest.raises(ValueError, match="need a task key"):
        Task(title="x", lead_units=["办公室"], deadline=date(2017, 11, 30))
    with pytest.raises(ValueError, match="lead or cooperating"):
        Task(key="t", title="x", deadline=date(2017, 11, 30), form="f", deliverable=DONE)
    both = TASK.model_copy(update={"cooperating_units": ["相关处室"]})
    assert both.reporting_units() == ["办公室", "计量处"]
    assert both.model_copy(update={"reporters": "all"}).reporting_units()[-1] == "相关处室"


def test_accountability_rules_are_applied_as_the_plan_states_them() -> None:
    plan = load_plan(FUJIAN_PLAN)
    units = ["办公室", "计量处", "福建省纤维检验局"]
    rules = apply_rules(plan, {"办公室": 2, "计量处": 1}, {"福建省纤维检验局": 1}, units)
    assert {r["measure"]: r["units"] for r in rules} == {
        "通报批评": ["办公室", "计量处"],
        "约谈": ["办公室", "福建省纤维检验局"],
        "纳入绩效考核": units,
    }
    assert measures_for(plan, 2, 0) == ["通报批评", "约谈"]
    assert measures_for(plan, 0, 0) == []
