"""Plans beyond the bounds: too big, alias bombs, deep nesting, control characters, dates
that do not exist, numbers no campaign needs. Each is refused with the field and its line,
never with a traceback, and in time and memory proportional to the file."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from campaign.plan import PlanError, load_plan, parse_plan
from campaign.plan.checks import Problem
from campaign.plan.yaml_read import MAX_PLAN_BYTES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUBEI_TEXT = (EXAMPLES / "hubei-2007.yaml").read_text(encoding="utf-8")

# 342 bytes that expand to 9**9 (387 million) strings when every alias is followed.
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
)


def replaced(old: str, new: str, text: str = HUBEI_TEXT) -> bytes:
    assert text.count(old) == 1, old
    return text.replace(old, new).encode()


def line_of(raw: bytes, needle: str) -> int:
    return next(i for i, s in enumerate(raw.decode().splitlines(), start=1) if needle in s)


def only(raw: bytes) -> Problem:
    result = parse_plan(raw)
    assert result.plan is None, "the plan should have been refused"
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def test_the_alias_bomb_is_refused_at_once_in_little_memory() -> None:
    raw = ALIAS_BOMB.encode()
    assert len(raw) < 400
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problem = only(raw)
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 10 * 1024 * 1024
    assert "别名 *" in problem.message and "50000" in problem.message
    assert problem.line is not None and problem.where


def test_a_recursive_alias_is_refused_with_its_line() -> None:
    raw = replaced("cc: [国家质检总局, 省政府]", "cc: &cc [国家质检总局, *cc]")
    problem = only(raw)
    assert problem.where == "document.cc[1]"
    assert "循环引用" in problem.message
    assert problem.line == line_of(raw, "cc: &cc")


def test_deep_nesting_is_refused_with_its_line() -> None:
    raw = (HUBEI_TEXT + "extra: " + "[" * 20_000 + "]" * 20_000 + "\n").encode()
    problem = only(raw)
    assert problem.where.startswith("extra[0]")
    assert "嵌套超过 50 层" in problem.message
    assert problem.line == line_of(raw, "extra: [[[")


def test_a_plan_over_the_size_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(HUBEI_TEXT.encode() + b"# " + b"x" * (60 * MAX_PLAN_BYTES) + b"\n")
    started = time.perf_counter()
    with pytest.raises(PlanError) as caught:
        load_plan(big)
    assert time.perf_counter() - started < 1.0
    (problem,) = caught.value.problems
    assert "1 MB" in problem.message and str(MAX_PLAN_BYTES) in problem.message


def test_ordinary_anchors_and_merge_keys_still_load() -> None:
    shared = (
        "reminders: &usual\n  before_due: [1]\n  after_due: [1, 3]\n"
        "  escalate_after: {working_days: 3}\n"
    )
    usual = (
        "reminders:\n  before_due: [1]\n  after_due: [1, 3]\n  escalate_after: {working_days: 3}\n"
    )
    # The anchor comes before its aliases: the policy moves up, ahead of the duties.
    text = HUBEI_TEXT.replace(usual, "").replace("duties:\n", shared + "\nduties:\n")
    text = text.replace(
        "    schedule: {type: any_time}  # 重大情况随时发现，随时报送\n",
        "    schedule: {type: any_time}\n    reminders: *usual\n",
    )
    text = text.replace(
        "    phase: acceptance\n",
        "    phase: acceptance\n    reminders: {<<: *usual, after_due: [2]}\n",
    )
    assert text.count("*usual") == 2
    result = parse_plan(text.encode())
    assert result.problems == []
    assert result.plan is not None
    assert result.plan.duty("urgent").reminders == result.plan.reminders
    final = result.plan.duty("final-summary").reminders
    assert final is not None and final.after_due == [2] and final.before_due == [1]


def quoted(value: str) -> str:
    """value as a YAML double-quoted scalar, control characters escaped."""
    return (
        '"'
        + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value)
        + '"'
    )


def with_value(prefix: str, value: str) -> tuple[bytes, int]:
    """The Hubei plan with the value on the (only) line starting with prefix replaced; and
    the number of that line."""
    lines = HUBEI_TEXT.splitlines()
    (at,) = [i for i, s in enumerate(lines) if s.startswith(prefix)]
    key = lines[at].split(": ", 1)[0]
    lines[at] = f"{key}: {quoted(value)}"
    return ("\n".join(lines) + "\n").encode(), at + 1


@pytest.mark.parametrize(
    ("prefix", "value", "where"),
    [
        ("title:", "全省\n质监系统", "title"),
        ("document_number:", "鄂质监发\r\n〔2007〕77号", "document_number"),
        ("issuing_authority:", "\t湖北省质量技术监督局", "issuing_authority"),
        ("  name: 省局", "\u2028省局办公室", "office.name"),
        ("    name: 宣传发动阶段", "宣传发动阶段\n", "phases[0].name"),
        ("        name: 小作坊集中整治", "小作坊\0集中整治", "phases[1].actions[2].name"),
        ("    name: 动态信息", "动态\x1b信息", "duties[0].name"),
        ("  recipients:", "各市州\x85质量技术监督局", "document.recipients"),
        ("  email:", "office@x.example\x01.org", "office.email"),
    ],
)
def test_control_characters_in_single_line_texts_are_refused(
    prefix: str, value: str, where: str
) -> None:
    raw, line = with_value(prefix, value)
    problems = only_problems(raw)
    assert [p.where for p in problems] == [where]
    assert "不得包含换行符或其他控制字符" in problems[0].message
    assert problems[0].line == line


def test_form_labels_are_single_line_too() -> None:
    raw = replaced("label: 执行标准登记企业数,", 'label: "执行\\n标准登记企业数",')
    problem = only(raw)
    assert problem.where == "forms[0].fields[2].label"
    assert problem.message.startswith("不得包含换行符或其他控制字符（第 3 个字符为 U+000A）")
    assert problem.line == line_of(raw, "执行\\n标准登记企业数")


def test_descriptions_may_have_line_breaks_but_no_other_control_characters() -> None:
    prefix = "    description: 传达会议精神"
    lines = HUBEI_TEXT.splitlines()
    (at,) = [i for i, s in enumerate(lines) if s.startswith(prefix)]
    lines[at] = "    description: " + quoted("第一段\n\t第二段")
    assert parse_plan(("\n".join(lines) + "\n").encode()).problems == []
    lines[at] = "    description: " + quoted("第一段\0")
    raw = ("\n".join(lines) + "\n").encode()
    problem = only(raw)
    assert (problem.where, problem.message) == (
        "phases[0].description",
        "不得包含控制字符（第 4 个字符为 U+0000）",
    )
    assert problem.line == at + 1


def only_problems(raw: bytes) -> list[Problem]:
    result = parse_plan(raw)
    assert result.plan is None
    return result.problems


@pytest.mark.parametrize("bad_date", ["2007-02-30", "2007-13-01", "2007-00-10"])
def test_a_date_that_does_not_exist_names_field_and_line(bad_date: str) -> None:
    raw = replaced("issued_on: 2007-08-27", f"issued_on: {bad_date}")
    problem = only(raw)
    assert problem.where == "document.issued_on"
    assert problem.message == f"'{bad_date}' 不是有效日期（应为 YYYY-MM-DD，且该日存在）"
    assert problem.line == line_of(raw, f"issued_on: {bad_date}")


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ("    start: 2007-08-10", "    start: 0001-01-01", "phases[0].start", "超出允许范围"),
        ("    end: 2007-12-10", "    end: 9999-12-31", "phases[2].end", "超出允许范围"),
        ("due: 2007-12-01}", "due: 2101-01-01}", "duties[2].schedule.due", "超出允许范围"),
        ("after_due: [1, 3]", "after_due: [3000000]", "reminders.after_due[0]", "不得大于 366"),
        ("before_due: [1]", "before_due: [-1]", "reminders.before_due[0]", "不得小于 0"),
        (
            "within: {days: 5}",
            "within: {days: 999999999}",
            "duties[1].schedule.within.days",
            "不得大于 366",
        ),
        (
            "escalate_after: {working_days: 3}",
            "escalate_after: {working_days: 100000000}",
            "reminders.escalate_after.working_days",
            "不得大于 250",
        ),
        ("threshold: 95", "threshold: 1e999999999", "targets[1].threshold", "不得大于"),
        ("threshold: 95", "threshold: .inf", "targets[1].threshold", "须为有限的数"),
        (
            "unit: 家, min: 0}",
            "unit: 家, min: 0, max: 1.0e+400}",
            "forms[2].fields[0].max",
            "须为有限的数",
        ),
        ("within: {days: 5}", f"within: {{days: {'9' * 5000}}}", "", "须为整数"),
    ],
)
def test_numbers_and_dates_beyond_the_bounds_name_field_and_line(
    old: str, new: str, where: str, message: str
) -> None:
    text = HUBEI_TEXT
    if old == "unit: 家, min: 0}":  # the first field of the final-summary form
        old = "{key: food_enterprises, label: 食品生产加工企业数, type: integer, unit: 家, min: 0}"
        head, tail = text.split("  - key: final-summary", 1)
        text = head + "  - key: final-summary" + tail.replace(old, old[:-1] + ", max: 1.0e+400}", 1)
        raw = text.encode()
        new = "max: 1.0e+400"
    else:
        raw = replaced(old, new)
    problem = only(raw)
    if where:
        assert problem.where == where
    else:
        assert problem.where == "duties[1].schedule.within.days"
    assert message in problem.message
    assert problem.line == line_of(raw, new[:40])


def test_names_longer_than_a_period_label_are_refused() -> None:
    raw = replaced("    name: 宣传发动阶段", "    name: " + "宣" * 81)
    problem = only(raw)
    assert (problem.where, problem.message) == ("phases[0].name", "不得超过 80 个字符")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("? [a, b]\n: x\n", "键须为一段文字，不能是列表或映射"),
        ("{a: 1}: 2\n", "键须为一段文字，不能是列表或映射"),
        ("a: &k [1]\n*k : 2\n", "键须为一段文字，别名 *k 却是列表或映射"),
        ("x: !!bool abc\n", "值 'abc' 不符合其类型标记 !!bool"),
        ("x: !!float abc\n", "未知字段"),
    ],
)
def test_odd_yaml_is_a_problem_not_a_traceback(extra: str, message: str) -> None:
    raw = (HUBEI_TEXT + extra).encode()
    problems = only_problems(raw)
    assert message in problems[0].message
    first_line = len(HUBEI_TEXT.splitlines()) + 1
    assert problems[0].line in (first_line, first_line + 1)
