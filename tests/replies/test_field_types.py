"""Fields that are not numbers (yes/no, date, choice) and a required attachment: the plan's
rules, the checks of an answer, and the .xlsx table written, filled and read back."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from campaign.documents import xlsx_table as layout
from campaign.documents.xlsx_table import write_table
from campaign.plan import PlanError, load_plan_text
from campaign.plan.schema import AttachmentRule, FormField, ReportForm
from campaign.replies.errors import ATTACHMENTS, ReportInvalid
from campaign.replies.validation import validate_report
from campaign.replies.values import check_value
from campaign.replies.xlsx_parse import ExpectedTable, parse_report_xlsx
from models.attachment import AttachmentKind
from models.reply import AttachmentIn, ReportCreate
from tests.support.parts import missing_part

LEVELS = ["一级", "二级", "三级"]
FORM = ReportForm(
    key="f",
    title="重点企业检查情况表",
    fields=[
        FormField(key="inspected", label="检查企业数", type="integer", min=0),
        FormField(key="licensed", label="是否取得生产许可证", type="yes_no"),
        FormField(key="decided_on", label="处理决定日期", type="date"),
        FormField(key="risk", label="风险等级", type="choice", choices=LEVELS),
        FormField(key="checked", label="是否复查", type="yes_no", required=False),
    ],
    attachment=AttachmentRule(label="处理决定书", required=True),
)
PDF = AttachmentIn(filename="决定书.pdf", data=b"%PDF-1.4 ...", content_type="application/pdf")
GOOD = {"inspected": "12", "licensed": "是", "decided_on": "2009-03-05", "risk": "二级"}


def field(key: str) -> FormField:
    return next(f for f in FORM.fields if f.key == key)


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("licensed", "是", "是"),
        ("licensed", " 否 ", "否"),
        ("licensed", "Y", "是"),
        ("licensed", "ｎｏ", "否"),  # full-width, as an input method types it
        ("licensed", "√", "是"),
        ("decided_on", "2009-03-05", "2009-03-05"),
        ("decided_on", "2009/3/5", "2009-03-05"),
        ("decided_on", "2009.3.5", "2009-03-05"),
        ("decided_on", "2009年3月5日", "2009-03-05"),
        ("decided_on", "２００９－０３－０５", "2009-03-05"),
        ("risk", "三级", "三级"),
        ("checked", "", None),
    ],
)
def test_each_type_is_stored_in_one_form(key: str, typed: str, stored: str | None) -> None:
    checked = check_value(field(key), typed)
    assert checked.message is None and checked.stored == stored and checked.number is None


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("licensed", "可能", "“是否取得生产许可证”应填写“是”或“否”"),
        ("licensed", "", "请填写“是否取得生产许可证”"),
        ("decided_on", "2009-02-30", "“处理决定日期”应填写日期，如2009-03-05"),
        ("decided_on", "3月5日", "“处理决定日期”应填写日期，如2009-03-05"),
        ("decided_on", "1850-01-01", "“处理决定日期”应填写日期，如2009-03-05"),
        ("risk", "四级", "“风险等级”应从以下选项中选择一项：一级、二级、三级"),
    ],
)
def test_bad_entries_name_the_field(key: str, typed: str, message: str) -> None:
    assert check_value(field(key), typed).message == message


def test_every_problem_at_once_the_missing_attachment_included() -> None:
    bad = {"inspected": "12", "licensed": "有时", "decided_on": "明天", "risk": ""}
    with pytest.raises(ReportInvalid) as caught:
        validate_report(form=FORM, report_in=ReportCreate(values=bad, narrative="说明"))
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("licensed", "“是否取得生产许可证”应填写“是”或“否”"),
        ("decided_on", "“处理决定日期”应填写日期，如2009-03-05"),
        ("risk", "请填写“风险等级”"),
        (ATTACHMENTS, "请上传“处理决定书”"),
    ]


def test_the_source_table_is_not_the_required_attachment() -> None:
    source = AttachmentIn(filename="表.xlsx", data=b"PK", kind=AttachmentKind.source_xlsx)
    report = ReportCreate(values=GOOD, narrative="说明", attachments=[source])
    with pytest.raises(ReportInvalid) as caught:
        validate_report(form=FORM, report_in=report)
    assert [p.message for p in caught.value.problems] == ["请上传“处理决定书”"]
    clean = validate_report(
        form=FORM,
        report_in=ReportCreate(values=GOOD, narrative="说明", attachments=[source, PDF]),
    )
    assert clean.values == {**GOOD, "checked": None}
    assert clean.numbers == {"inspected": 12}


def test_an_optional_attachment_may_be_left_out() -> None:
    form = FORM.model_copy(update={"attachment": AttachmentRule()})
    validate_report(form=form, report_in=ReportCreate(values=GOOD, narrative="说明"))


PLAN = """
document_number: 测〔2009〕1号
title: 测试方案
issuing_authority: 测试局
office: {{name: 办公室, contact: 张三, phone: "020-1", email: office@example.cn}}
document: {{recipients: 各市局, issued_on: 2009-03-01, printed_by: 办公室}}
phases:
  - {{key: work, kind: implementation, name: 实施阶段, start: 2009-03-01, end: 2009-06-30}}
forms:
  - key: f
    title: 表
    fields:
      - {{key: n, label: 数量, type: integer}}
      - {field}
duties:
  - {{key: d, name: 报送, kind: progress, form: f, phase: work,
     schedule: {{type: monthly, day: 5}}}}
targets:
  - {{key: t, name: 目标, form: f, metric: {{field: x}}, comparator: ">=", threshold: 1}}
"""


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        ("{key: x, label: 选项, type: choice}", "forms[0].fields[1].choices", "至少须有两个"),
        (
            "{key: x, label: 选项, type: choice, choices: [甲, 甲]}",
            "forms[0].fields[1].choices[1]",
            "重复",
        ),
        ("{key: x, label: 是否, type: yes_no, choices: [是]}", "forms[0].fields[1].choices", ""),
        ("{key: x, label: 日期, type: date, min: 1}", "forms[0].fields[1]", "不能设置最小值"),
        (
            "{key: x, label: 是否, type: yes_no, accumulation: cumulative}",
            "forms[0].fields[1].accumulation",
            "只有数值字段",
        ),
    ],
)
def test_the_plan_refuses_bad_field_kinds(spec: str, where: str, message: str) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan_text(PLAN.format(field=spec))
    found = [p for p in caught.value.problems if p.where == where]
    assert found and message in found[0].message and found[0].line
    # and a target cannot read one of them: it is not a number
    assert any(
        p.where == "targets[0].metric.field" and "不是数值" in p.message
        for p in caught.value.problems
    )


def _table(form: ReportForm = FORM) -> bytes:
    return write_table(
        campaign_id=3,
        document_number="测〔2009〕1号",
        form=form,
        duty_key="d",
        period_key="2009-03",
        period_label="3月",
        due=date(2009, 4, 5),
        request_id=42,
        bureau_code="440100",
        bureau_name="广州市局",
    )


EXPECTED = ExpectedTable(campaign_id=3, bureau_code="440100", form_key="f", request_id=42)


def _rules(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    return {str(rule.sqref): rule for rule in ws.data_validations.dataValidation}


def test_the_table_offers_lists_and_date_cells_and_reads_them_back() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_table()))
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 5).value: r for r in range(7, 13)}
    rules = _rules(ws)
    yes_no = rules[f"D{rows['licensed']}"]
    assert (yes_no.type, yes_no.formula1) == ("list", '"是,否"')
    assert rules[f"D{rows['risk']}"].formula1 == '"一级,二级,三级"'
    dated = rules[f"D{rows['decided_on']}"]
    assert (dated.type, dated.formula1, dated.formula2) == (
        "date",
        "DATE(1900,1,1)",
        "DATE(2100,12,31)",
    )
    assert ws.cell(rows["decided_on"], 4).number_format == "yyyy-mm-dd"
    assert ws.cell(rows["risk"], 6).value == "选填一项：一级、二级、三级"
    assert ws.cell(rows["licensed"], 6).value == "填“是”或“否”"
    # The bureau fills it as a spreadsheet program stores it: a real date, a bool.
    ws.cell(rows["inspected"], 4).value = 12
    ws.cell(rows["licensed"], 4).value = "是"
    ws.cell(rows["decided_on"], 4).value = datetime(2009, 3, 5)
    ws.cell(rows["risk"], 4).value = "二级"
    ws.cell(rows["checked"], 4).value = False
    filled = io.BytesIO()
    wb.save(filled)
    parsed = parse_report_xlsx(data=filled.getvalue(), form=FORM, expected=EXPECTED)
    assert parsed.values == {**GOOD, "checked": "否"}
    report = ReportCreate(values=dict(parsed.values), narrative="说明", attachments=[PDF])
    assert validate_report(form=FORM, report_in=report).values["decided_on"] == "2009-03-05"


def test_a_date_typed_as_a_bare_serial_number_is_still_a_date() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_table()))
    ws = wb.worksheets[0]
    row = next(r for r in range(7, 13) if ws.cell(r, 5).value == "decided_on")
    ws.cell(row, 4).value = 39877  # 2009-03-05 in Excel's calendar
    ws.cell(row, 4).number_format = "General"
    filled = io.BytesIO()
    wb.save(filled)
    parsed = parse_report_xlsx(data=filled.getvalue(), form=FORM, expected=EXPECTED)
    assert parsed.values["decided_on"] == "2009-03-05"


def test_options_too_long_for_an_inline_list_come_from_a_hidden_sheet() -> None:
    long = [f"第{i}类：{'很长的选项说明' * 3}" for i in range(12)]
    form = ReportForm(
        key="f",
        title="表",
        fields=[FormField(key="kind", label="类别", type="choice", choices=long)],
    )
    wb = openpyxl.load_workbook(io.BytesIO(_table(form)))
    lists = wb[layout.LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(r, 1).value for r in range(1, 13)] == long
    (rule,) = wb.worksheets[0].data_validations.dataValidation
    assert rule.formula1 == "_lists!$A$1:$A$12"
    ws = wb.worksheets[0]
    ws["D7"].value = long[3]
    filled = io.BytesIO()
    wb.save(filled)
    parsed = parse_report_xlsx(data=filled.getvalue(), form=form, expected=EXPECTED)
    report = ReportCreate(values=dict(parsed.values), narrative="说明")
    # Read back as NFKC (第3类:…), stored as the plan writes the option (第3类：…).
    assert validate_report(form=form, report_in=report).values == {"kind": long[3]}


CALC = Path("/usr/lib/libreoffice/share/registry/calc.xcd")


def test_a_table_saved_again_by_libreoffice_reads_the_same(
    tmp_path: Path, libreoffice: str
) -> None:
    """LibreOffice keeps the lists and the date cell; what it saves parses the same.
    Without Calc it skips on a developer's machine and fails under CI, as the fixture does."""
    if not CALC.exists():
        missing_part(
            "LibreOffice Calc is needed (libreoffice-calc-nogui: scripts/setup.sh --system)"
        )
    wb = openpyxl.load_workbook(io.BytesIO(_table()))
    ws = wb.worksheets[0]
    rows = {ws.cell(r, 5).value: r for r in range(7, 13)}
    for key, value in {**GOOD, "decided_on": datetime(2009, 3, 5), "inspected": 12}.items():
        ws.cell(rows[key], 4).value = value
    source = tmp_path / "in" / "table.xlsx"
    source.parent.mkdir()
    wb.save(source)
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    again = (out / "table.xlsx").read_bytes()
    reread = openpyxl.load_workbook(io.BytesIO(again)).worksheets[0]
    kinds = {rule.type for rule in reread.data_validations.dataValidation}
    assert {"list", "date"} <= kinds
    parsed = parse_report_xlsx(data=again, form=FORM, expected=EXPECTED)
    assert parsed.values == {**GOOD, "checked": ""}
