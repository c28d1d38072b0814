"""The .xlsx statistical table follows the layout contract with the replies parser exactly."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from campaign.documents import xlsx_table as layout
from campaign.documents.xlsx_table import write_table
from campaign.plan import Plan
from campaign.plan.schema import FormField, Narrative, ReportForm


def table(form: ReportForm, **overrides) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    args = dict(
        campaign_id=3,
        document_number="鄂质监发〔2007〕77号",
        form=form,
        duty_key="weekly-progress",
        period_key="2007-W35",
        period_label="8月27日至9月2日",
        due=date(2007, 8, 31),
        request_id=42,
        bureau_code="420100",
        bureau_name="武汉市质量技术监督局",
    )
    args.update(overrides)
    return openpyxl.load_workbook(io.BytesIO(write_table(**args)))


def test_the_contract_cell_by_cell(hubei_plan: Plan) -> None:
    form = hubei_plan.form("progress")
    wb = table(form, previous_values={"sampled_batches": 40, "value_involved": Decimal("12.50")})
    ws = wb.worksheets[0]
    assert ws.title == form.title[:31]
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws[c].value for c in ("A1", "A2", "B2", "A3", "B3", "A4", "B4")] == [
        form.title,
        "填报单位",
        "武汉市质量技术监督局",
        "报告期",
        "8月27日至9月2日",
        "报送截止",
        "2007-08-31",
    ]
    assert [ws.cell(6, c).value for c in range(1, 7)] == list(layout.HEADERS)
    for i, field in enumerate(form.fields):
        row = 7 + i
        label = field.label + ("（累计）" if field.accumulation == "cumulative" else "")
        assert [ws.cell(row, c).value for c in (1, 2, 3, 5)] == [
            i + 1,
            label,
            field.unit,
            field.key,
        ]
        assert ws.cell(row, 6).value.startswith(
            "整数，≥0" if field.type == "integer" else "数值，≥0"
        )
    narrative_row = 7 + len(form.fields)
    assert ws.cell(narrative_row, 2).value == "情况说明"
    assert ws.cell(narrative_row, 5).value == "__narrative__"
    assert ws.cell(narrative_row, 4).value is None
    values = {ws.cell(r, 5).value: ws.cell(r, 4).value for r in range(7, narrative_row)}
    assert values["sampled_batches"] == 40 and values["value_involved"] == 12.5
    assert values["qualified_batches"] is None and values["food_enterprises"] is None
    meta = wb[layout.META_SHEET]
    assert meta.sheet_state == "hidden" and wb.sheetnames.index("_meta") == 1
    assert [(r[0].value, r[1].value) for r in meta.iter_rows()] == [
        ("layout_version", "1"),
        ("campaign_id", "3"),
        ("document_number", "鄂质监发〔2007〕77号"),
        ("request_id", "42"),
        ("bureau_code", "420100"),
        ("duty_key", "weekly-progress"),
        ("period_key", "2007-W35"),
        ("form_key", "progress"),
    ]


def test_header_found_by_its_texts_within_twenty_rows(hubei_plan: Plan) -> None:
    ws = table(hubei_plan.form("progress")).worksheets[0]
    found = [
        r
        for r in range(1, layout.HEADER_SEARCH_ROWS + 1)
        if {"指标代码", "填报数值"} <= {ws.cell(r, c).value for c in range(1, 7)}
    ]
    assert found == [layout.HEADER_ROW]


def test_validation_bounds_and_no_formulas() -> None:
    form = ReportForm(
        key="f",
        title="测试表/第[1]期:统计*?" + "很长的标题" * 10,
        fields=[
            FormField(key="n", label="整数", type="integer", min=Decimal(0), max=Decimal(100)),
            FormField(key="d", label="小数", type="decimal", max=Decimal("9.5")),
            FormField(key="p", label="比例", type="percent"),
            FormField(key="t", label="文字", type="text", required=False, help="如有"),
        ],
        narrative=None,
    )
    wb = table(form, bureau_name="A&B<局>", due=None)
    ws = wb.worksheets[0]
    assert ws.title == "测试表_第_1_期_统计__很长的标题很长的标题很长的标题很长的标题很"[:31]
    assert ws["B2"].value == "A&B<局>" and ws["B4"].value is None
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(rules) == {"D7", "D8"}
    assert (rules["D7"].type, rules["D7"].operator) == ("whole", "between")
    assert (rules["D7"].formula1, rules["D7"].formula2) == ("0", "100")
    assert (rules["D8"].type, rules["D8"].operator, rules["D8"].formula1) == (
        "decimal",
        "lessThanOrEqual",
        "9.5",
    )
    assert ws["F10"].value == "文字，选填，如有"
    assert ws.max_row == 10  # no narrative row
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            assert not any(isinstance(c.value, str) and c.value.startswith("=") for c in row)


def test_no_macros_and_each_bureau_gets_its_own_copy(hubei_plan: Plan) -> None:
    form = hubei_plan.form("stage-summary")
    first = write_table(
        campaign_id=1, document_number="X", form=form, duty_key="s", period_key="p",
        period_label="宣传发动阶段", due=date(2007, 9, 5), request_id=1, bureau_code="420100",
        bureau_name="武汉市质量技术监督局",
    )  # fmt: skip
    second = write_table(
        campaign_id=1, document_number="X", form=form, duty_key="s", period_key="p",
        period_label="宣传发动阶段", due=date(2007, 9, 5), request_id=2, bureau_code="420200",
        bureau_name="黄石市质量技术监督局",
    )  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.testzip() is None  # every entry's CRC checks out
    assert not any("vba" in n.lower() for n in archive.namelist())
    one, two = (openpyxl.load_workbook(io.BytesIO(b)) for b in (first, second))
    assert (one.worksheets[0]["B2"].value, two.worksheets[0]["B2"].value) == (
        "武汉市质量技术监督局",
        "黄石市质量技术监督局",
    )
    assert two["_meta"]["B4"].value == "2" and two["_meta"]["B5"].value == "420200"
    assert "@@XLSXSLOT" not in second.decode("latin-1")


def test_a_previous_value_that_is_not_a_number_is_an_error(hubei_plan: Plan) -> None:
    with pytest.raises(ValueError, match="sampled_batches"):
        table(hubei_plan.form("progress"), previous_values={"sampled_batches": "NaN"})


def test_narrative_label_from_the_form() -> None:
    form = ReportForm(
        key="s", title="阶段工作小结", fields=[], narrative=Narrative(label="阶段工作小结")
    )
    ws = table(form).worksheets[0]
    assert (ws["B7"].value, ws["E7"].value) == ("阶段工作小结", "__narrative__")


def test_text_that_looks_like_a_formula_stays_text_and_the_filled_table_is_accepted() -> None:
    """A label such as "=HYPERLINK(…)" is a string cell; the bureau's table comes back whole."""
    from campaign.replies.xlsx_parse import ExpectedTable, parse_report_xlsx

    # A label cannot hold a tab (the plan refuses control characters in one-line texts);
    # a help text can, so "\t" is covered there.
    risky = ["=1+1", "+86 检查数", "-5%以下", "@合计", '=HYPERLINK("http://x","点此")']
    form = ReportForm(
        key="f",
        title="=统计表",
        fields=[
            FormField(key=f"k{i}", label=label, type="integer", unit="=个", help="\t说明")
            for i, label in enumerate(risky)
        ],
        narrative=Narrative(label="@情况说明"),
    )
    raw = write_table(
        campaign_id=3, document_number="=鄂质监发〔2007〕77号", form=form, duty_key="d",
        period_key="p", period_label="=8月", due=None, request_id=42, bureau_code="420100",
        bureau_name="=武汉市局",
    )  # fmt: skip
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb.worksheets[0]
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert (ws["A1"].value, ws["B2"].value, ws["B3"].value) == ("=统计表", "=武汉市局", "=8月")
    assert [ws.cell(7 + i, 2).value for i in range(len(risky))] == risky
    assert all(ws.cell(7 + i, 2).quotePrefix for i in range(len(risky)))
    assert ws["C7"].value == "=个" and ws["F7"].value == "整数，\t说明"
    assert wb[layout.META_SHEET]["B3"].value == "=鄂质监发〔2007〕77号"
    # The bureau fills the input cells (openpyxl as its spreadsheet program) and sends it back.
    for i in range(len(risky)):
        ws.cell(7 + i, 4).value = i * 10
    ws.cell(7 + len(risky), 4).value = "本周完成检查。"
    filled = io.BytesIO()
    wb.save(filled)
    parsed = parse_report_xlsx(
        data=filled.getvalue(),
        form=form,
        expected=ExpectedTable(campaign_id=3, bureau_code="420100", form_key="f", request_id=42),
    )
    assert parsed.values == {f"k{i}": str(i * 10) for i in range(len(risky))}
    assert parsed.narrative == "本周完成检查。"


def test_only_the_input_cells_are_editable_and_the_narrative_has_room(hubei_plan: Plan) -> None:
    form = hubei_plan.form("progress")
    ws = table(form).worksheets[0]
    assert ws.protection.sheet and not ws.protection.password  # no password to lose
    last = layout.FIRST_FIELD_ROW + len(form.fields)  # the narrative row
    inputs = {f"D{r}" for r in range(layout.FIRST_FIELD_ROW, last + 1)}
    for row in ws.iter_rows(min_row=1, max_row=last, max_col=6):
        for cell in row:
            assert cell.protection.locked == (cell.coordinate not in inputs), cell.coordinate
    assert ws[f"E{last}"].value == "__narrative__"
    assert ws.row_dimensions[last].height >= 250 and ws.column_dimensions["D"].width >= 40
