"""The 汇总表 workbook, opened back and checked cell by cell."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from campaign.results.compile import compile_results
from campaign.results.workbook import write_workbook
from tests.results.fixture import ROWS, TODAY, UNITS, frames


def workbook(tmp_path: Path, rows=ROWS, units=UNITS):  # type: ignore[no-untyped-def]
    import tests.results.fixture as fixture

    original = fixture.UNITS
    fixture.UNITS = units
    try:
        compiled = compile_results(frames(rows), today=TODAY)
    finally:
        fixture.UNITS = original
    return load_workbook(write_workbook(compiled, tmp_path / "汇总表.xlsx"))


def values(ws, row: int) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [c.value for c in ws[row]]


def test_sheets_headers_units_and_totals(tmp_path):
    wb = workbook(tmp_path)
    assert wb.sheetnames == [
        "按单位",
        "按期次",
        "待审核",
        "报送情况",
        "目标",
        "未报",
        "情况说明",
        "排名",
        "说明",
    ]
    assert values(wb["待审核"], 4) == ["乙局", "第2周", 4, 5, 5, 100]
    ws = wb["按单位"]
    assert ws["A1"].value == "测试专项行动（全程）汇总表：进展统计表"
    assert values(ws, 3) == [
        "序号",
        "单位",
        "检查企业数（家次）",
        "获证企业数（累计）（家）",
        "企业数（累计）（家）",
        "抽查合格率（%）",
        "已报期数",
    ]
    assert values(ws, 4) == [1, "甲局", 12, 10, 10, 96, 2]
    assert values(ws, 6) == [3, "丙局", "无数据", "无数据", "无数据", "无数据", 0]
    assert values(ws, 8) == [None, "合计", 17, 14, 15, "不作合计", None]
    assert ws["C4"].number_format == "#,##0"
    assert ws["C4"].data_type == "n"


def test_completeness_targets_missing_and_narratives(tmp_path):
    wb = workbook(tmp_path)
    ws = wb["报送情况"]
    assert values(ws, 6)[:7] == [3, "丙局", 2, 0, 0, 0, 2]
    assert values(ws, 8)[1:3] == ["合计", 7]
    assert values(ws, 8)[9] == 71.43
    assert ws.cell(8, 10).number_format == "0.00"
    ws = wb["目标"]
    assert values(ws, 4)[:6] == ["获证率", "逐单位", "≥ 90%", 93.33, 3.33, "未达标"]
    assert values(ws, 4)[8:10] == ["丙局", "丁局"]
    assert values(ws, 5)[:6] == ["检查企业", "总体", "≥ 10家次", 12, 2, "达标"]
    assert values(ws, 6)[3] == "无数据"  # a percent field: no overall value
    ws = wb["未报"]
    assert values(ws, 4) == ["丙局", "动态信息", "第1周", "2026-01-12", "退回待重报"]
    assert values(ws, 5) == ["丙局", "动态信息", "第2周", "2026-01-19", "未报"]
    ws = wb["情况说明"]
    assert values(ws, 4) == ["甲局", "动态信息", "第1周", "情况说明", "甲局第一周"]
    ws = wb["排名"]
    assert [ws.cell(r, 2).value for r in range(4, 8)] == ["甲局", "乙局", "丁局", "丙局"]
    notes = [ws.cell(r, 1).value for r in range(1, 12)]
    assert any(
        "丁局：启动后加入" in (n or "") for n in [wb["说明"].cell(r, 1).value for r in range(1, 12)]
    )
    assert notes


def test_unit_text_is_never_a_formula(tmp_path):
    units = [("001", '=HYPERLINK("http://x")'), ("002", "乙局"), ("003", "丙局"), ("004", "丁局")]
    wb = workbook(tmp_path, units=units)
    cell = wb["按单位"]["B4"]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"
    assert cell.quotePrefix
