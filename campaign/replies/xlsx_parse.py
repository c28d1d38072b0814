"""Read a filled-in statistical table (.xlsx) into the entries of a ReportCreate.

The layout is a contract with the generator (campaign.documents.xlsx_table):
- first sheet: a title in row 1; A2 填报单位 / B2, A3 报告期 / B3, A4 报送截止 / B4; a
  header row (row 6 when generated; found here by looking for the cells "指标代码" and
  "填报数值" in one of the first 20 rows, in any columns) over the columns 序号, 指标名称,
  计量单位, 填报数值, 指标代码, 填报说明; below it one row per field: the value in the
  填报数值 column, the field key in the 指标代码 column. The key "__narrative__" carries the
  narrative. Rows without a key are ignored; an unknown key is an error naming its row.
- an optional (hidden) sheet "_meta", key in column A and value in B: layout_version,
  campaign_id, document_number, request_id, bureau_code, duty_key, period_key, form_key.
  When present it must name the link's own request and bureau.

Formulas are never evaluated: a formula cell is refused. The bytes pass
xlsx_safety.check_xlsx_bytes before openpyxl opens them.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from campaign.plan.schema import NARRATIVE_KEY, FormField, ReportForm
from campaign.replies.errors import ATTACHMENTS, UPLOAD, Problem, ReportInvalid, UploadRejected
from campaign.replies.validation import validate_report
from campaign.replies.values import plain
from campaign.replies.xlsx_safety import check_xlsx_bytes
from models.reply import ReportCreate

META_SHEET = "_meta"
KEY_HEADER, VALUE_HEADER = "指标代码", "填报数值"
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 30
MAX_DATA_ROWS = 500
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # Excel's escape of a character in a cell

BROKEN = "上传的文件已损坏或不是Excel工作簿（.xlsx），不予接收。请上传随通知发送的统计表"
NO_HEADER = (
    "未在统计表前20行找到“指标代码”和“填报数值”两列，无法识别。"
    "请使用随通知发送的统计表，不要修改表头"
)
OTHER_REQUEST = (
    "上传的统计表是发给其他单位或其他报告期的（表内标识与本链接不符），不予接收。"
    "请上传随本次通知发送的统计表"
)


@dataclass(frozen=True)
class ExpectedTable:
    """Who the link belongs to: the _meta sheet, when present, must say the same."""

    campaign_id: int
    bureau_code: str
    form_key: str
    request_id: int | None = None


@dataclass
class ParsedTable:
    values: dict[str, str] = field(default_factory=dict)
    narrative: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    header_row: int = 0


def parse_report_xlsx(*, data: bytes, form: ReportForm, expected: ExpectedTable) -> ParsedTable:
    """The entries of the table; UploadRejected for a file refused whole, ReportInvalid
    listing each row problem (unknown or repeated keys, formulas)."""
    check_xlsx_bytes(data)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except Exception as exc:  # noqa: BLE001 - any failure to read is the bureau's file
        raise UploadRejected(BROKEN) from exc
    try:
        sheets = [ws for ws in workbook.worksheets if ws.title != META_SHEET]
        if not sheets:
            raise UploadRejected(BROKEN)
        parsed = ParsedTable()
        if META_SHEET in workbook.sheetnames:
            parsed.meta = _read_meta(workbook[META_SHEET])
            _check_meta(parsed.meta, form, expected)
        _read_table(sheets[0], form, parsed)
        return parsed
    except (UploadRejected, ReportInvalid):
        raise
    except Exception as exc:  # noqa: BLE001
        raise UploadRejected(BROKEN) from exc
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", _unescape(value)).strip()


def _unescape(value: Any) -> str:
    """A cell's text with Excel's escapes of characters XML cannot hold (_x000B_ for a
    vertical tab) undone; validation then removes the control characters among them. An
    escaped lone surrogate, which no page or database could encode, becomes U+FFFD."""
    return _ESCAPE.sub(_unescaped, str(value))


def _unescaped(match: re.Match[str]) -> str:
    code = int(match[1], 16)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def _read_meta(sheet: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in sheet.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if not row or row[0] is None:
            continue
        meta[_text(row[0])] = _text(row[1] if len(row) > 1 else None)
    return meta


def _check_meta(meta: dict[str, str], form: ReportForm, expected: ExpectedTable) -> None:
    mismatched = (
        ("campaign_id", str(expected.campaign_id)),
        ("bureau_code", expected.bureau_code),
        ("request_id", str(expected.request_id) if expected.request_id is not None else None),
    )
    for key, wanted in mismatched:
        if wanted is not None and meta.get(key) and meta[key] != wanted:
            raise UploadRejected(OTHER_REQUEST)
    if meta.get("form_key") and meta["form_key"] != form.key:
        raise UploadRejected(f"上传的统计表不是“{form.title}”，请使用随本次通知发送的统计表")


def _cell_value(cell: Any, form_field: FormField) -> str:
    value = cell.value
    percent = form_field.type == "percent"
    if isinstance(value, bool):
        return "是" if value else "否"
    if form_field.type == "date" and isinstance(value, int | float) and 1 <= value < 80000:
        return from_excel(value).date().isoformat()  # a date serial not formatted as one
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        if percent and "%" in (getattr(cell, "number_format", "") or ""):
            number *= 100
        if number.as_tuple().exponent < -6:  # type: ignore[operator]
            number = number.quantize(Decimal("0.000001"))
        return plain(number)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return _text(value)


def _read_table(sheet: Any, form: ReportForm, parsed: ParsedTable) -> None:
    """The keyed rows into `parsed`; ReportInvalid with every problem at once: formulas,
    unknown or repeated keys, and (then) what the values read so far break of the form."""
    rows = list(
        sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS + MAX_DATA_ROWS, max_col=MAX_COLUMNS)
    )
    formulas = {
        (r, c): Problem(
            UPLOAD,
            f"单元格{get_column_letter(c + 1)}{r + 1}含有公式，本系统不计算公式。"
            "请将公式改为数值后重新上传",
        )
        for r, row in enumerate(rows)
        for c, cell in enumerate(row)
        if getattr(cell, "data_type", None) == "f"
    }
    header = _find_header(rows)
    if header is None:
        if formulas:
            raise ReportInvalid(list(formulas.values()))
        raise UploadRejected(NO_HEADER)
    header_row, key_col, value_col = header
    parsed.header_row = header_row + 1
    fields = {f.key: f for f in form.fields}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    unread: set[str] = set()  # keys whose value is a formula: no value to check
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        key = _text(row[key_col].value) if key_col < len(row) else ""
        if not key or (r, key_col) in formulas:
            continue
        cell = row[value_col] if value_col < len(row) else None
        line = r + 1
        if key in seen:
            problems.append(Problem(UPLOAD, f"第{line}行：指标代码“{key}”与第{seen[key]}行重复"))
            continue
        seen[key] = line
        if (r, value_col) in formulas:
            unread.add(key)
        elif key == NARRATIVE_KEY:
            parsed.narrative = "" if cell is None or cell.value is None else _unescape(cell.value)
        elif key in fields:
            parsed.values[key] = "" if cell is None else _cell_value(cell, fields[key])
        else:
            problems.append(Problem(UPLOAD, f"第{line}行：指标代码“{key}”不是本表的指标"))
    problems = list(formulas.values()) + problems
    if problems:
        raise ReportInvalid(problems + _value_problems(form, parsed, unread))


def _value_problems(form: ReportForm, parsed: ParsedTable, unread: set[str]) -> list[Problem]:
    """What the values read break of the form (a refused table still shows them all);
    fields whose value is a formula are left out, their problem is the formula."""
    try:
        validate_report(
            form=form,
            report_in=ReportCreate(values=dict(parsed.values), narrative=parsed.narrative),
        )
    except ReportInvalid as exc:
        # The narrative's problems carry NARRATIVE_KEY, like its row; the files added
        # beside a table are checked when it is sent, not here.
        skip = unread | {ATTACHMENTS}
        return [p for p in exc.problems if p.field not in skip]
    except Exception:  # noqa: BLE001 - the table's own problems are reported regardless
        return []
    return []


def _find_header(rows: list[Any]) -> tuple[int, int, int] | None:
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [_text(cell.value) for cell in row]
        if KEY_HEADER in texts and VALUE_HEADER in texts:
            return r, texts.index(KEY_HEADER), texts.index(VALUE_HEADER)
    return None
