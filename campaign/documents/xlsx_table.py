"""The statistical table (工作进展情况统计表) a report request carries, as .xlsx.

THE LAYOUT IS A CONTRACT with the parser of returned tables (campaign/replies). Layout
version 1:

First sheet, titled with the form title (first 31 characters; characters Excel forbids
in sheet names, []:*?/\\, become "_"):

    A1  form title (merged A1:F1)
    A2  "填报单位"   B2  bureau name
    A3  "报告期"     B3  period label
    A4  "报送截止"   B4  due date as text YYYY-MM-DD ("" when the request has none)
    row 6, header:  A "序号" | B "指标名称" | C "计量单位" | D "填报数值" |
                    E "指标代码" | F "填报说明"
    rows 7…, one per form field in plan order:
        A index (1, 2, …) | B label (+ "（累计）" for cumulative fields) | C unit |
        D input cell: empty, or for a cumulative field the last accepted value when given |
        E field key | F 填报说明, e.g. "整数，≥0"
    the row after the fields (when the form has a narrative):
        B narrative label (e.g. 情况说明) | D input cell | E "__narrative__"

The sheet is protected without a password (Review → Unprotect Sheet lifts it): only the
input cells (D of each field row and of the narrative row) are unlocked, so the labels,
keys and layout cannot be changed by accident; rows and columns may still be resized. The
narrative row is tall and column D wide enough to write a few paragraphs in.

Number cells (D) carry data validation (whole or decimal, with the plan's min/max) where
the plan sets bounds. A yes/no cell has a drop-down list 是/否 and a choice cell its
options (inline, or from a column of the hidden sheet "_lists" when they do not fit); a
date cell is formatted yyyy-mm-dd and accepts dates 1900-01-01 to 2100-12-31.
No formulas anywhere; no macros. Every text cell is written as text,
whatever it starts with: a plan label or bureau name such as "=HYPERLINK(…)" or "-5%" is a
string cell (never a formula), and text starting with one of = + - @ tab CR LF (OWASP's CSV
injection list) also carries Excel's quotePrefix, so editing the cell keeps it text.

Hidden sheet "_meta" (after the table): key in column A, value in column B, one pair per
row, in this
order: layout_version (1), campaign_id, document_number, request_id, bureau_code, duty_key,
period_key, form_key. All values are written as text.

A parser finds the header row by looking for "指标代码" and "填报数值" in the first 20 rows.

Speed: the workbook of a (form, period) is built once with openpyxl, with marked slots for
what differs per bureau (name, request id, code, previous values); each bureau's copy is
that template with the slots filled in its sheet XML (the other parts of the zip are
compressed once and reused): ~0.3 ms instead of ~15 ms for a fresh workbook.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from campaign.documents._zip import Entry, write_zip
from campaign.documents.directive import field_hint
from campaign.plan.schema import NARRATIVE_KEY, FormField, ReportForm

LAYOUT_VERSION = 1
TITLE_CELL, TITLE_RANGE = "A1", "A1:F1"
BUREAU_CELL, PERIOD_CELL, DUE_CELL = "B2", "B3", "B4"
LABELS = {"A2": "填报单位", "A3": "报告期", "A4": "报送截止"}
HEADER_ROW, FIRST_FIELD_ROW = 6, 7
HEADERS = ("序号", "指标名称", "计量单位", "填报数值", "指标代码", "填报说明")
INDEX_COL, LABEL_COL, UNIT_COL, VALUE_COL, KEY_COL, HELP_COL = "ABCDEF"
CUMULATIVE_SUFFIX = "（累计）"
NARRATIVE_HEIGHT = 300  # points (Excel's maximum is 409): room for several paragraphs
VALUE_WIDTH = 48  # characters: the input column, also the narrative's width
META_SHEET = "_meta"
LISTS_SHEET = "_lists"  # hidden: the options of long drop-down lists
INLINE_LIST_CHARS = 250  # Excel's limit for an inline list is 255 characters
META_KEYS = (
    "layout_version",
    "campaign_id",
    "document_number",
    "request_id",
    "bureau_code",
    "duty_key",
    "period_key",
    "form_key",
)
HEADER_SEARCH_ROWS = 20
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SLOT = "@@XLSXSLOT:{}@@"
_SLOT_CELL = re.compile(
    r'<c r="(?P<ref>[A-Z]+\d+)"(?P<style> s="\d+")? t="inlineStr">'
    r"<is><t>@@XLSXSLOT:(?P<name>[^@<]+)@@</t></is></c>"
)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_FONT = "宋体"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def sheet_title(form_title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", form_title)[:31]


def write_table(
    *,
    campaign_id: int,
    document_number: str,
    form: ReportForm,
    duty_key: str,
    period_key: str,
    period_label: str,
    due: date | None,
    request_id: int,
    bureau_code: str,
    bureau_name: str,
    previous_values: Mapping[str, Any] | None = None,
) -> bytes:
    """The .xlsx bytes of one bureau's table for one request, per the layout above."""
    template = _template(
        _TemplateKey(
            campaign_id,
            document_number,
            form.model_dump_json(),
            duty_key,
            period_key,
            period_label,
            due.isoformat() if due else "",
        )
    )
    slots: dict[str, Any] = {
        "bureau_name": bureau_name,
        "request_id": str(request_id),
        "bureau_code": bureau_code,
    }
    previous = previous_values or {}
    for f in form.fields:
        if f.accumulation == "cumulative":
            slots[f"prev:{f.key}"] = _previous(f, previous.get(f.key))
    return template.fill(slots)


def _previous(f: FormField, value: Any) -> Any:
    """A last accepted value as a cell value: numbers (stored as decimal strings) as numbers."""
    if value is None or value == "" or not f.numeric:
        return value
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValueError(f"previous value of {f.key!r} is not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"previous value of {f.key!r} is not a number: {value!r}")
    return int(number) if number == number.to_integral_value() else number


@dataclass(frozen=True)
class _TemplateKey:
    campaign_id: int
    document_number: str
    form_json: str
    duty_key: str
    period_key: str
    period_label: str
    due: str


class _Template:
    """A built workbook as zip entries, with slot cells to fill per bureau."""

    def __init__(self, raw: bytes) -> None:
        # Entries with slots stay as text, to be filled and compressed per bureau; the
        # others are compressed once here.
        self.entries: list[Entry | tuple[str, str]] = []
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for info in z.infolist():
                data = z.read(info.filename)
                if info.filename.startswith("xl/worksheets/") and b"@@XLSXSLOT:" in data:
                    self.entries.append((info.filename, data.decode("utf-8")))
                else:
                    self.entries.append(Entry.of(info.filename, data))

    def fill(self, slots: Mapping[str, Any]) -> bytes:
        def cell(match: re.Match[str]) -> str:
            ref, style, value = match["ref"], match["style"] or "", slots.get(match["name"])
            if value is None or value == "":
                return f'<c r="{ref}"{style}/>'
            if isinstance(value, Decimal):
                return f'<c r="{ref}"{style}><v>{value:f}</v></c>'
            if isinstance(value, int | float) and not isinstance(value, bool):
                return f'<c r="{ref}"{style}><v>{value}</v></c>'
            text = escape(_XML_ILLEGAL.sub("", str(value)))
            return f'<c r="{ref}"{style} t="inlineStr"><is><t>{text}</t></is></c>'

        return write_zip(
            [
                entry
                if isinstance(entry, Entry)
                else Entry.of(entry[0], _SLOT_CELL.sub(cell, entry[1]).encode("utf-8"), level=1)
                for entry in self.entries
            ]
        )


_templates: dict[_TemplateKey, _Template] = {}


def _template(key: _TemplateKey) -> _Template:
    if key not in _templates:
        if len(_templates) >= 64:
            _templates.clear()
        form = ReportForm.model_validate_json(key.form_json)
        _templates[key] = _Template(_build(key, form))
    return _templates[key]


def _put(cell: Cell, value: Any, *, quote: bool | None = None) -> None:
    """Write a value; text stays text (see the module docstring), quoted when risky."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if quote if quote is not None else needs_quote(value):
            cell.quotePrefix = True


def needs_quote(text: str) -> bool:
    """Whether Excel would take this text for a formula when the cell is edited: it then
    carries quotePrefix (here, and in the results workbooks: campaign.results.cells)."""
    return text.startswith(_FORMULA_STARTS)


def _build(key: _TemplateKey, form: ReportForm) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(form.title)
    _put(ws[TITLE_CELL], form.title)
    ws.merge_cells(TITLE_RANGE)
    ws[TITLE_CELL].font = Font(name=_FONT, size=16, bold=True)
    ws[TITLE_CELL].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    for ref, label in LABELS.items():
        _put(ws[ref], label)
        ws[ref].font = Font(name=_FONT, bold=True)
    _put(ws[BUREAU_CELL], _SLOT.format("bureau_name"), quote=True)  # a bureau name: text
    _put(ws[PERIOD_CELL], key.period_label)
    _put(ws[DUE_CELL], key.due)
    for col, text in zip("ABCDEF", HEADERS, strict=True):
        c = ws[f"{col}{HEADER_ROW}"]
        c.value, c.font, c.fill, c.border = text, Font(name=_FONT, bold=True), _HEAD_FILL, _BOX
        c.alignment = Alignment(horizontal="center", vertical="center")
    row = FIRST_FIELD_ROW
    for index, f in enumerate(form.fields, start=1):
        label = f.label + (CUMULATIVE_SUFFIX if f.accumulation == "cumulative" else "")
        hint = field_hint(
            type_=f.type,
            minimum=f.min,
            maximum=f.max,
            required=f.required,
            help_=f.help,
            choices=f.choices,
        )
        if f.accumulation == "cumulative":
            hint += "，自方案实施以来累计，不低于上期已确认数"
        value = _SLOT.format(f"prev:{f.key}") if f.accumulation == "cumulative" else None
        _row(ws, row, [index, label, f.unit, value, f.key, hint])
        _validate(ws, f, f"{VALUE_COL}{row}")
        row += 1
    if form.narrative is not None:
        _row(ws, row, [None, form.narrative.label, None, None, NARRATIVE_KEY, "文字"])
        ws.row_dimensions[row].height = NARRATIVE_HEIGHT
        ws[f"{VALUE_COL}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEF", (6, 30, 10, VALUE_WIDTH, 22, 36), strict=True):
        ws.column_dimensions[col].width = width
    # Protected structure, editable input cells (see the module docstring); no password.
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # resizing stays allowed
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    values = {
        "layout_version": str(LAYOUT_VERSION),
        "campaign_id": str(key.campaign_id),
        "document_number": key.document_number,
        "request_id": _SLOT.format("request_id"),
        "bureau_code": _SLOT.format("bureau_code"),
        "duty_key": key.duty_key,
        "period_key": key.period_key,
        "form_key": form.key,
    }
    for r, name in enumerate(META_KEYS, start=1):
        _put(meta[f"A{r}"], name)
        _put(meta[f"B{r}"], values[name], quote=False)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(ws: Worksheet, row: int, values: list[Any]) -> None:
    for col, value in zip("ABCDEF", values, strict=True):
        c = ws[f"{col}{row}"]
        # The input cell holds a slot for the last value (a number): never quoted.
        _put(c, value, quote=False if col == VALUE_COL else None)
        c.border, c.font = _BOX, Font(name=_FONT)
        c.alignment = Alignment(vertical="center", wrap_text=col in (LABEL_COL, HELP_COL))
    ws[f"{VALUE_COL}{row}"].fill = _INPUT_FILL
    ws[f"{VALUE_COL}{row}"].protection = Protection(locked=False)


def _validate(ws: Worksheet, f: FormField, ref: str) -> None:
    if f.type in ("yes_no", "choice", "date"):
        _validate_other(ws, f, ref)
        return
    if f.type == "text" or (f.min is None and f.max is None):
        return
    kind = "whole" if f.type == "integer" else "decimal"
    first: Decimal | None
    second: Decimal | None
    if f.min is not None and f.max is not None:
        operator, first, second = "between", f.min, f.max
    elif f.min is not None:
        operator, first, second = "greaterThanOrEqual", f.min, None
    else:
        operator, first, second = "lessThanOrEqual", f.max, None
    rule = DataValidation(
        type=kind,
        operator=operator,
        formula1=str(first),
        formula2=None if second is None else str(second),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="填报数值有误",
        error="请填写"
        + field_hint(type_=f.type, minimum=f.min, maximum=f.max, required=True, help_=""),
    )
    ws.add_data_validation(rule)
    rule.add(ref)


def _validate_other(ws: Worksheet, f: FormField, ref: str) -> None:
    """yes/no and choices: a drop-down list (the options on the hidden sheet _lists when
    they do not fit Excel's inline list); a date: a date cell (yyyy-mm-dd)."""
    if f.type == "date":
        rule = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1900,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="填报日期有误",
            error="请填写日期，如2009-03-05",
        )
        ws[ref].number_format = "yyyy-mm-dd"
    else:
        options = ["是", "否"] if f.type == "yes_no" else list(f.choices)
        inline = ",".join(options)
        if len(inline) <= INLINE_LIST_CHARS and not any(c in o for o in options for c in ',"'):
            formula = f'"{inline}"'
        else:
            formula = _list_range(ws, options)
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            showDropDown=False,  # (sic) False shows the in-cell drop-down arrow
            errorTitle="填报内容有误",
            error="请从下拉列表中选择：" + "、".join(options),
        )
    ws.add_data_validation(rule)
    rule.add(ref)


def _list_range(ws: Worksheet, options: list[str]) -> str:
    """The options written in a new column of the hidden sheet _lists; its range."""
    wb = ws.parent
    if LISTS_SHEET in wb.sheetnames:
        lists = wb[LISTS_SHEET]
        column = lists.max_column + 1
    else:
        lists = wb.create_sheet(LISTS_SHEET)
        lists.sheet_state = "hidden"
        column = 1
    for row, option in enumerate(options, start=1):
        _put(lists.cell(row, column), option, quote=False)
    letter = lists.cell(1, column).column_letter
    return f"{LISTS_SHEET}!${letter}$1:${letter}${len(options)}"
