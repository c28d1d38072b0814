"""Plans beyond the bounds, as a coordinator meets them: `campaign validate`, `schedule`,
`launch` and `amend` each exit non-zero with the field and line, never a traceback, and
launch and amend store nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner, Result

from campaign import db as dbmod
from campaign.cli import app
from models.audit import AuditEvent
from models.campaign import Campaign
from models.schedule import ScheduledEvent
from tests.support.hubei import import_hubei_bureaus, launch_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUBEI_TEXT = (EXAMPLES / "hubei-2007.yaml").read_text(encoding="utf-8")
runner = CliRunner()


def edited(old: str, new: str) -> str:
    assert HUBEI_TEXT.count(old) == 1, old
    return HUBEI_TEXT.replace(old, new)


# (case, plan text, the field named, the text of the line it is on)
BAD_PLANS = [
    (
        "title with a line break",
        edited("title: 全省质监系统产品质量和食品安全专项整治实施方案", 'title: "全省\\n方案"'),
        "title",
    ),
    ("February 30", edited("issued_on: 2007-08-27", "issued_on: 2007-02-30"), "issued_on"),
    ("month 13", edited("issued_on: 2007-08-27", "issued_on: 2007-13-01"), "issued_on"),
    ("start 0001-01-01", edited("start: 2007-08-10", "start: 0001-01-01"), "phases[0].start"),
    ("end 9999-12-31", edited("end: 2007-12-10", "end: 9999-12-31"), "phases[2].end"),
    ("after_due", edited("after_due: [1, 3]", "after_due: [3000000]"), "after_due[0]"),
    ("within", edited("within: {days: 5}", "within: {days: 999999999}"), "within.days"),
    (
        "escalate_after",
        edited("escalate_after: {working_days: 3}", "escalate_after: {working_days: 100000000}"),
        "escalate_after.working_days",
    ),
    ("recursive alias", edited("cc: [国家质检总局, 省政府]", "cc: &cc [*cc]"), "document.cc[0]"),
    ("deep nesting", HUBEI_TEXT + "x: " + "[" * 20_000 + "]" * 20_000 + "\n", "x[0]"),
    ("long phase name", edited("name: 宣传发动阶段", "name: " + "宣" * 150), "phases[0].name"),
]


def refused(result: Result, where: str) -> None:
    """The command ended with a message naming the field and a line, not a traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    assert where in result.output and "第 " in result.output, result.output


@pytest.mark.parametrize(("case", "text", "where"), BAD_PLANS, ids=[c[0] for c in BAD_PLANS])
def test_validate_and_schedule_refuse_with_field_and_line(
    case: str, text: str, where: str, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    refused(runner.invoke(app, ["validate", str(plan)]), where)
    refused(runner.invoke(app, ["schedule", str(plan)]), where)


@pytest.mark.parametrize(("case", "text", "where"), BAD_PLANS, ids=[c[0] for c in BAD_PLANS])
def test_launch_refuses_and_stores_nothing(
    case: str, text: str, where: str, tmp_path: Path, db_url: str
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    refused(runner.invoke(app, ["launch", str(plan)]), where)
    with Session(dbmod.get_engine(db_url)) as session:
        for table in (Campaign, ScheduledEvent, AuditEvent):
            assert session.exec(select(func.count()).select_from(table)).one() == 0


def test_the_longest_names_the_plan_allows_are_stored(session: Session) -> None:
    """Names at their bound fit every column they reach (period labels of 100 on PostgreSQL)."""
    text = (
        edited("name: 宣传发动阶段", "name: " + "宣" * 80)
        .replace("        name: 小作坊集中整治", "        name: " + "坊" * 80)
        .replace("document_number: 鄂质监发〔2007〕77号", "document_number: " + "号" * 100)
        .replace("title: 全省质监系统", "title: " + "题" * 170 + "全省质监系统")
    )
    import_hubei_bureaus(session)
    launch_plan(session, text.encode(), "long names")
    session.commit()
    labels = session.exec(select(ScheduledEvent.period_label)).all()
    assert "宣" * 80 in labels and "宣" * 80 + "通知签收" in labels


def test_amend_refuses_a_date_out_of_range_and_keeps_the_plan(session: Session) -> None:
    import_hubei_bureaus(session)
    campaign_id = launch_plan(session, HUBEI_TEXT.encode(), "hubei")
    session.commit()
    events = session.exec(select(func.count()).select_from(ScheduledEvent)).one()
    result = runner.invoke(app, ["amend", "1", "--phase", "acceptance", "--end", "9999-12-31"])
    refused(result, "phases[2].end")
    assert "超出允许范围" in result.output
    session.expire_all()
    assert session.get(Campaign, campaign_id).plan_yaml == HUBEI_TEXT  # type: ignore[union-attr]
    assert session.exec(select(func.count()).select_from(ScheduledEvent)).one() == events
