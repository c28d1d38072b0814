"""Writing the results workbooks (.xlsx: the 汇总表, the export, the acceptance table):
sheets written row by row with xlsxwriter, headers, rows with number formats, lines of
text. Rows and columns are numbered from 1, as in Excel.

Text stays text: every string is written as a string cell (never a formula), and one that
Excel would read as a formula (xlsx_table.needs_quote) also carries quotePrefix. Workbooks
are written in xlsxwriter's constant_memory mode: each row goes to disk when the next one
starts, so rows must be written in order (a sheet's rows top to bottom; a cell of an
earlier row is dropped). The 3,000-unit 汇总表 takes about a third of openpyxl's time, and
the export of every figure a constant amount of memory. `write_row` hands xlsxwriter whole
rows of cells made ready (`Rows`): the XML its write_* would write, without their per-cell
work (about 0.4× the time of the weekly digest's 汇总表).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

from campaign.documents.xlsx_table import needs_quote

INTEGER, DECIMAL, RATE = "#,##0", "#,##0.00", "0.00"
NO_DATA = "无数据"
FONT = "宋体"
_BOX = {"border": 1, "border_color": "#000000"}  # thin, black, all four sides
_HEAD = {"bold": True, "pattern": 1, "fg_color": "#D9D9D9", "align": "center",
         "valign": "vcenter", "text_wrap": True, **_BOX}  # fmt: skip
_TITLE = {"bold": True, "font_size": 14}
_WRAPPED = {"text_wrap": True, "valign": "top"}
_PIXELS_PER_CHARACTER = 7  # Calibri 11's digit: a width of N characters is stored as N


class Book:
    """A results workbook being written; `sheet` adds a sheet. Leaving the block writes
    the file, unless an error left it: then nothing is written (the rows written so far,
    in a folder of its own, are removed)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._rows = tempfile.TemporaryDirectory(prefix="xlsx-rows-")
        self._book = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "nan_inf_to_errors": True, "tmpdir": self._rows.name},
        )
        self._formats: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._cells: dict[tuple[bool, str | None, bool, bool], Format] = {}

    def sheet(self, name: str) -> Sheet:
        return Sheet(self, self._book.add_worksheet(name, worksheet_class=Rows))

    def format(self, **properties: Any) -> Format | None:
        """The format with these properties, made once per workbook (None: the default)."""
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self._book.add_format(properties)
        return self._formats[key]

    def cell_format(self, bold: bool, number_format: str | None, wrap: bool, quote: bool) -> Format:
        """The format of a data cell (looked up per cell: 3,000 units × 50 columns)."""
        key = (bold, number_format, wrap, quote)
        if key not in self._cells:
            style: dict[str, Any] = {"font_name": FONT, "bold": bold, **_BOX}
            if number_format:
                style["num_format"] = number_format
            if wrap:
                style |= _WRAPPED
            if quote:
                style["quote_prefix"] = True
            made = self.format(**style)
            assert made is not None  # a font at least
            self._cells[key] = made
        return self._cells[key]

    def __enter__(self) -> Book:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if error is None:
                self._book.close()
        finally:
            self._rows.cleanup()


class Sheet:
    def __init__(self, book: Book, worksheet: Worksheet) -> None:
        self.book, self.worksheet = book, worksheet

    def text(self, row: int, column: int, value: str, **properties: Any) -> None:
        """A string cell (quotePrefix when Excel would read it as a formula); "" leaves the
        cell empty (with its format, if any)."""
        if not value:
            self.worksheet.write_blank(row - 1, column - 1, None, self.book.format(**properties))
            return
        if needs_quote(value):
            properties["quote_prefix"] = True
        self.worksheet.write_string(row - 1, column - 1, value, self.book.format(**properties))

    def value(self, row: int, column: int, value: str | float) -> None:
        """A plain cell: text as text, else a number."""
        if isinstance(value, str):
            self.text(row, column, value)
        else:
            self.worksheet.write_number(row - 1, column - 1, cell_number(value))

    def width(self, column: int, characters: int) -> None:
        self.worksheet.set_column_pixels(column - 1, column - 1, characters * _PIXELS_PER_CHARACTER)

    def freeze(self, row: int, column: int) -> None:
        """Freeze the rows above `row` and the columns left of `column`."""
        self.worksheet.freeze_panes(row - 1, column - 1)


def write_title(ws: Sheet, title: str) -> None:
    ws.text(1, 1, title, font_name=FONT, **_TITLE)


def start_sheet(ws: Sheet, title: str, head: Sequence[str]) -> int:
    """The title in A1, the header in row 3, the columns' widths, the panes frozen below
    the header (and right of the unit's column); returns the first data row."""
    write_title(ws, title)
    write_header(ws, 3, head)
    for i, text in enumerate(head, 1):
        ws.width(i, max(10, min(40, len(text) * 2 + 2)))
    ws.freeze(4, 3 if len(head) > 2 else 1)
    return 4


def write_header(ws: Sheet, row: int, head: Sequence[str]) -> None:
    for i, text in enumerate(head, 1):
        ws.text(row, i, text, font_name=FONT, **_HEAD)


def write_row(
    ws: Sheet,
    row: int,
    values: Sequence[Any],
    formats: Sequence[str | None],
    *,
    bold: bool = False,
    wrapped: Collection[int] = (),
) -> None:
    """A row of boxed cells: numbers in their format, a blank as 无数据 where a number
    was due (else empty), text as text; the columns in `wrapped` wrap, aligned to the top."""
    sheet, r, style = ws.worksheet, row - 1, ws.book.cell_format
    cells: list[Ready | None] = []
    for c, (value, number_format) in enumerate(zip(values, formats, strict=True)):
        wrap = c + 1 in wrapped
        if isinstance(value, str):
            if value:
                quote = needs_quote(value)
                cells.append(sheet.ready_text(r, c, value, style(bold, None, wrap, quote)))
            else:
                cells.append(Ready(style(bold, None, wrap, False), EMPTY))
        elif blank(value):
            if number_format:
                cells.append(sheet.ready_text(r, c, NO_DATA, style(bold, None, wrap, False)))
            else:
                cells.append(Ready(style(bold, None, wrap, False), EMPTY))
        elif value == "":  # a str-like value
            cells.append(Ready(style(bold, None, wrap, False), EMPTY))
        else:
            number = cell_number(value)
            cells.append(sheet.ready_number(r, c, number, style(bold, number_format, wrap, False)))
    sheet.put_row(r, cells)


class Ready(NamedTuple):
    """A cell of `Rows`: its style and its XML after the <c>'s r and s attributes."""

    format: Format
    body: str


EMPTY = "/>"  # a blank cell with a style
# a string xlsxwriter writes as it is (no XML or control character escape, no preserved
# space, not a rich string): nothing here, and no white space at either end
_ESCAPED = re.compile(r'[\x00-\x1f"&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_')


class Rows(Worksheet):
    """xlsxwriter's worksheet, with whole rows of ready cells (`write_row`): the same XML
    and styles' numbering, without its per-cell checks and tags. Each cell's XML is made
    when it is written, its style's index when its row goes to disk, as xlsxwriter has it
    (styles are numbered in the order their cells reach the disk). A cell xlsxwriter
    writes otherwise (infinity, a rich or very long string) is left to it (`ready_*`
    return None after writing it)."""

    def put_row(self, row: int, cells: Sequence[Ready | None]) -> None:
        """Cells 0.. of a row (None: written already), as xlsxwriter's write_* one by one:
        a row above the last one written is dropped (constant_memory), the row before is
        written when this one starts."""
        if row < self.previous_row or row >= self.xls_rowmax or len(cells) > self.xls_colmax:
            return
        present = [c for c, cell in enumerate(cells) if cell is not None]
        if not present:
            return
        self._check_dimensions(row, present[0])  # the rows and columns in use
        self._check_dimensions(row, present[-1])
        if row > self.previous_row:
            self._write_single_row(row)
        stored = self.table[row]
        for c in present:
            stored[c] = cells[c]

    def ready_text(self, row: int, column: int, text: str, style: Format) -> Ready | None:
        """A string cell as xlsxwriter writes it in constant_memory (an inline string)."""
        if not _ESCAPED.search(text) and not text[0].isspace() and not text[-1].isspace():
            if len(text) <= self.xls_strmax // 2:
                return Ready(style, f' t="inlineStr"><is><t>{text}</t></is></c>')
        escaped = self._escape_control_characters(text)
        if len(text) > self.xls_strmax // 2 or (
            escaped.startswith("<r>") and escaped.endswith("</r>")
        ):
            self._write_string(row, column, text, style)
            return None
        space = ' xml:space="preserve"' if _preserve_whitespace(escaped) else ""
        return Ready(
            style, f' t="inlineStr"><is><t{space}>{self._escape_data(escaped)}</t></is></c>'
        )

    def ready_number(self, row: int, column: int, number: float, style: Format) -> Ready | None:
        if not math.isfinite(number):  # an error cell (nan_inf_to_errors)
            self._write_number(row, column, number, style)
            return None
        return Ready(style, f"><v>{number:.16G}</v></c>")

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        if cell.__class__ is Ready:
            self.fh.write(self._ready_xml(row, col, cell))
        else:
            super()._write_cell(row, col, cell)

    @staticmethod
    def _ready_xml(row: int, col: int, cell: Ready) -> str:
        index = cell.format._get_xf_index()
        return f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{index}"{cell.body}'

    def _write_single_row(self, current_row_num: int = 0) -> None:
        """The row before, in one write when all its cells are ready ones (else cell by
        cell, `_write_cell`)."""
        row = self.previous_row  # type: ignore[has-type]
        cells = self.table.get(row)
        if (
            not cells
            or row in self.comments
            or any(cell.__class__ is not Ready for cell in cells.values())
        ):
            super()._write_single_row(current_row_num)
            return
        self.previous_row = current_row_num
        self._write_row(row, None, self.row_info.get(row))
        self.fh.write("".join(self._ready_xml(row, c, cell) for c, cell in sorted(cells.items())))
        self._xml_end_tag("row")
        self.table.clear()


def write_lines(ws: Sheet, row: int, texts: Iterable[str]) -> None:
    for i, line in enumerate(texts):
        ws.text(row + i, 1, line)


def number_format_of(f: Any) -> str:
    return INTEGER if f.type == "integer" else DECIMAL


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def outline(ws: Sheet, row: int, level: int = 1) -> None:
    """Group a row under the one above it (Excel's outline, folded open); before the next
    row is written (constant_memory)."""
    ws.worksheet.set_row(row - 1, None, None, {"level": level})
