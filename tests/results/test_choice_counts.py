"""Yes/no and choice answers are counted per option over the units' latest accepted
answers, never summed nor taken for narratives; dates are listed; the workbook shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import tests.results.fixture as fixture
from campaign.results.compile import compile_results
from campaign.results.workbook import write_workbook

EXTRA_FIELDS = """      - {key: safe, label: 是否建立台账, type: yes_no, required: false}
      - {key: level, label: 监管等级, type: choice, choices: [A级, B级, C级], required: false}
      - {key: checked_on, label: 检查日期, type: date, required: false}
duties:"""
ANSWERS = {  # request id -> the new fields' answers
    1: {"safe": "否", "level": "B级", "checked_on": "2026-01-09"},  # 甲 P1, later replaced
    2: {"safe": "是", "level": "A级", "checked_on": "2026-01-08"},  # 乙 P1 accepted
    3: {"safe": "是", "level": "C级"},  # 丙: returned, not counted
    4: {"safe": "是", "level": "B级", "checked_on": "2026-01-16"},  # 甲 P2: latest
    5: {"safe": "否", "level": "C级"},  # 乙 P2: pending, not counted
    7: {"safe": "否", "level": "A级"},  # 丁 P2
}


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fixture, "PLAN", fixture.PLAN.replace("duties:", EXTRA_FIELDS, 1))
    rows = []
    for rid, unit, period, answer in fixture.ROWS:
        if answer is not None:
            status, late, values, narrative = answer
            answer = (status, late, {**values, **ANSWERS.get(rid, {})}, narrative)
        rows.append((rid, unit, period, answer))
    return compile_results(fixture.frames(rows), today=fixture.TODAY)


def test_counts_per_option_over_the_latest_accepted_answers(compiled) -> None:  # type: ignore[no-untyped-def]
    counts = compiled.answer_counts
    table = [
        (r["label"], r["option"], r["count"], r["units_answered"], r["units"])
        for r in counts.to_dict("records")
    ]
    assert table == [
        ("是否建立台账", "是", 2, 3, "甲局、乙局"),
        ("是否建立台账", "否", 1, 3, "丁局"),
        ("监管等级", "A级", 2, 3, "乙局、丁局"),
        ("监管等级", "B级", 1, 3, "甲局"),
        ("监管等级", "C级", 0, 3, ""),
    ]
    dates = compiled.answers[compiled.answers["field"] == "checked_on"]
    assert list(zip(dates["name"], dates["value"], strict=True)) == [
        ("甲局", "2026-01-16"),
        ("乙局", "2026-01-08"),
    ]


def test_they_are_neither_figures_nor_narratives(compiled) -> None:  # type: ignore[no-untyped-def]
    figures = compiled.figures["progress"]
    assert {"safe", "level", "checked_on"}.isdisjoint(f.key for f in figures.fields)
    assert {"safe", "level", "checked_on"}.isdisjoint(figures.totals["field"])
    assert set(compiled.narratives["label"]) <= {"情况说明", "典型案例"}


def test_the_workbook_sheet(compiled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wb = load_workbook(write_workbook(compiled, tmp_path / "汇总表.xlsx"))
    ws = wb["选项统计"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=5)]
    assert rows[0] == ["指标", "选项", "单位数", "作答单位数", "选择该项的单位"]
    assert rows[1] == ["是否建立台账", "是", 2, 3, "甲局、乙局"]
    assert rows[2] == ["是否建立台账", "否", 1, 3, "丁局"]
