"""The .xlsx parser against the layout contract, and against the generator of the tables."""

from __future__ import annotations

import io
import time

import openpyxl
import pytest

from campaign.plan import load_plan_text
from campaign.replies.errors import ReportInvalid, UploadRejected
from campaign.replies.xlsx_parse import ExpectedTable, parse_report_xlsx
from campaign.replies.xlsx_safety import check_xlsx_bytes
from replies.factories import (
    NARRATIVE,
    numeric_entries,
    plan_text,
    table_xlsx,
    valid_entries,
    zip_bomb_bytes,
)

PLAN = load_plan_text(plan_text())
FORM = PLAN.form("progress")
EXPECTED = ExpectedTable(campaign_id=1, bureau_code="420100", form_key="progress", request_id=7)
META = {
    "layout_version": 1,
    "campaign_id": 1,
    "request_id": 7,
    "bureau_code": "420100",
    "form_key": "progress",
}


def test_a_table_laid_out_per_the_contract() -> None:
    parsed = parse_report_xlsx(
        data=table_xlsx(entries=numeric_entries(), meta=META), form=FORM, expected=EXPECTED
    )
    assert parsed.values == {k: v for k, v in valid_entries().items()}
    assert parsed.narrative == NARRATIVE and parsed.header_row == 6
    assert parsed.meta["request_id"] == "7"


def test_the_header_may_move_and_the_columns_swap() -> None:
    data = table_xlsx(entries=numeric_entries(), header_row=9, key_col=2, value_col=7)
    parsed = parse_report_xlsx(data=data, form=FORM, expected=EXPECTED)
    assert parsed.header_row == 9 and parsed.values["inspections"] == "85"


def test_percent_formatted_cells_read_as_percent() -> None:
    data = table_xlsx(entries=numeric_entries() | {"pass_rate": 0.955})
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    row = next(r for r in sheet.iter_rows() if r[4].value == "pass_rate")
    row[3].number_format = "0.0%"
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse_report_xlsx(data=out.getvalue(), form=FORM, expected=EXPECTED)
    assert parsed.values["pass_rate"] == "95.5"


def test_every_formula_is_named_and_none_evaluated() -> None:
    data = table_xlsx(entries=numeric_entries(), formula=("D8", "=1/0"))
    with pytest.raises(ReportInvalid) as caught:
        parse_report_xlsx(data=data, form=FORM, expected=EXPECTED)
    assert [p.message for p in caught.value.problems] == [
        "单元格D8含有公式，本系统不计算公式。请将公式改为数值后重新上传"
    ]


def test_a_table_without_meta_is_taken_for_any_request() -> None:
    parsed = parse_report_xlsx(
        data=table_xlsx(entries=numeric_entries()),
        form=FORM,
        expected=ExpectedTable(
            campaign_id=9, bureau_code="429999", form_key="progress", request_id=1
        ),
    )
    assert parsed.meta == {} and parsed.values["food_enterprises"] == "120"


def test_a_zip_bomb_is_refused_quickly_from_the_directory() -> None:
    bomb = zip_bomb_bytes(200)
    assert len(bomb) < 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(UploadRejected):
        check_xlsx_bytes(bomb)
    assert time.perf_counter() - started < 0.5


def test_tables_from_the_generator_parse_back() -> None:
    """The contract end to end: campaign.documents.xlsx_table writes, this parser reads."""
    from datetime import date

    from campaign.documents import xlsx_table

    data = xlsx_table.write_table(
        campaign_id=1,
        document_number=PLAN.document_number,
        form=FORM,
        duty_key="weekly-progress",
        period_key="2007-W37",
        period_label="第4周",
        due=date(2007, 9, 14),
        request_id=7,
        bureau_code="420100",
        bureau_name="武汉市质量技术监督局",
        previous_values={"sampled_batches": "30"},
    )
    parsed = parse_report_xlsx(data=data, form=FORM, expected=EXPECTED)
    assert parsed.values["sampled_batches"] == "30"  # pre-filled cumulative figure
    assert parsed.values["inspections"] == "" and parsed.narrative == ""
    assert parsed.meta["form_key"] == "progress" and parsed.meta["bureau_code"] == "420100"

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    header = next(r for r in range(1, 21) if sheet.cell(r, 5).value == "指标代码")
    entries = valid_entries() | {"__narrative__": NARRATIVE}
    for row in range(header + 1, sheet.max_row + 1):
        key = sheet.cell(row, 5).value
        if key in entries and entries[key] != "":
            sheet.cell(row, 4).value = (
                float(entries[key])
                if "." in entries[key]
                else (int(entries[key]) if entries[key].isdigit() else entries[key])
            )
    out = io.BytesIO()
    workbook.save(out)
    filled = parse_report_xlsx(data=out.getvalue(), form=FORM, expected=EXPECTED)
    assert filled.values == valid_entries() and filled.narrative == NARRATIVE
    other = ExpectedTable(campaign_id=1, bureau_code="420200", form_key="progress", request_id=8)
    with pytest.raises(UploadRejected) as refused:
        parse_report_xlsx(data=out.getvalue(), form=FORM, expected=other)
    assert "其他单位或其他报告期" in refused.value.message


def test_a_formula_does_not_hide_the_tables_other_problems() -> None:
    """One upload, every problem: the formula, an unknown key, and a value the form refuses."""
    data = table_xlsx(
        entries={**numeric_entries(), "qualified_batches": 99},
        formula=("D8", "=1/0"),
        extra_rows=[("no_such_key", 5)],
    )
    with pytest.raises(ReportInvalid) as caught:
        parse_report_xlsx(data=data, form=FORM, expected=EXPECTED)
    messages = [p.message for p in caught.value.problems]
    assert messages[0] == "单元格D8含有公式，本系统不计算公式。请将公式改为数值后重新上传"
    assert any("“no_such_key”不是本表的指标" in m for m in messages)
    assert any("（99）不能大于" in m for m in messages)
