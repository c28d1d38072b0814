"""A 公文 as a .docx laid out per GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a text block of 22 lines
of 28 characters; 发文机关标志 red, centred and on one line; 发文字号 with 〔〕 above a red
separator line; title in 2号小标宋 (22 pt); body in 3号仿宋 (16 pt); 一级标题 黑体, 二级 楷体;
附件说明, 署名 and 成文日期 in Arabic numerals (右空四字); 附件 tables; 版记 (抄送,
印发机关 and 印发日期 between black rules) at the foot of the last page; page numbers "— n —"
in 4号宋体, right on odd pages and left on even ones.

28 characters a line: 28 characters of 16 pt are 448 pt, the text block is 442 pt wide, so
the body is condensed by a quarter point a character (w:spacing) and the document grid is a
line grid (22 lines of 28.95 pt). A character grid (linesAndChars, negative charSpace) does
the same in Word, but LibreOffice then gives every 16 pt character two 15.8 pt cells: 14
characters a line and seven pages instead of five; condensed spacing reads the same in
Word, WPS and LibreOffice (tests/documents/test_docx_layout.py measures it).

East Asian fonts are set through w:rFonts/@w:eastAsia; the font table names the usual
fallbacks (方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体) for machines
without the official fonts.

`official_docx(document)` writes any `OfficialDocument`: the directive, a 阶段小结, a 通报.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from campaign.documents.official import Appendix, Block, OfficialDocument
from campaign.templating import cn_date

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
TITLE_FONT, BODY_FONT, HEADING_FONT, KAI_FONT, NUMBER_FONT = (
    "方正小标宋简体",
    "仿宋_GB2312",
    "黑体",
    "楷体_GB2312",
    "宋体",
)
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", KAI_FONT: "楷体", HEADING_FONT: "SimHei"}
TITLE_SIZE, BODY_SIZE, NOTE_SIZE = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
MARK_MAX_PT, MARK_MIN_PT = 42, 22  # 发文机关标志: as large as fits, within these
RED = RGBColor(0xFF, 0x00, 0x00)
TEXT_HEIGHT_PT = (297 - 37 - 35) / 25.4 * 72
TEXT_WIDTH_PT = (210 - 28 - 26) / 25.4 * 72  # ≈ 442.2 pt
# Rounded down, so that 22 lines and 28 characters do fit the text block.
LINE_PITCH_TWIPS = math.floor(TEXT_HEIGHT_PT * 20 / LINES_PER_PAGE)  # 579 twips ≈ 28.95 pt
LINE_PITCH = Twips(LINE_PITCH_TWIPS)
CHAR_PITCH_PT = TEXT_WIDTH_PT / CHARS_PER_LINE  # ≈ 15.79 pt
COLOPHON_CHARS = math.floor(TEXT_WIDTH_PT / NOTE_SIZE.pt) - 2  # 4号 characters a 版记 line
# Character spacing of the body in twentieths of a point: 16 pt − 0.25 pt = 15.75 pt ≤ 15.79.
CHAR_SPACING = math.floor((CHAR_PITCH_PT - BODY_SIZE.pt) * 20)
# w:rPr children that follow w:spacing and w:w (the schema's order, which Word enforces).
_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
                  "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
                  "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")  # fmt: skip
# w:pPr children that follow w:pBdr, and those that follow w:framePr.
_AFTER_BORDERS = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                  "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
                  "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                  "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                  "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                  "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")  # fmt: skip
_AFTER_FRAME = ("w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", *_AFTER_BORDERS)


def official_docx(document: OfficialDocument) -> bytes:
    """The .docx bytes of a 公文: 版头, the body's blocks, 附件说明, 署名, 附件, 版记."""
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _fallback_fonts(doc)
    _head(doc, document)
    for block in document.blocks:
        _block(doc, block)
    _signature(doc, document)
    for appendix in document.appendices:
        _appendix(doc, document.attachment_label(appendix.number), appendix)
    _colophon(doc, document)
    _page_numbers(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def mark_size(mark: str) -> tuple[float, int]:
    """(font size in pt, horizontal scale in %) that put the 发文机关标志 on one line."""
    room = TEXT_WIDTH_PT * 0.96
    size = max(MARK_MIN_PT, min(MARK_MAX_PT, math.floor(room / max(len(mark), 1))))
    scale = min(100, math.floor(100 * room / (size * max(len(mark), 1))))
    return size, scale


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = Mm(28) - Mm(7)  # 页码 7 mm below the text block
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    for name in list(grid.attrib):
        del grid.attrib[name]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def _styles(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    _font(normal.font, normal.element, BODY_FONT, BODY_SIZE)
    _spacing(normal.element.get_or_add_rPr(), CHAR_SPACING)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False


def _spacing(rpr: Any, twentieths: int, scale: int = 100) -> None:
    """Character spacing (w:spacing) and horizontal scale (w:w) of a run or style."""
    for tag in ("w:spacing", "w:w"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths))
    rpr.insert_element_before(spacing, *_AFTER_SPACING)
    if scale != 100:
        width = OxmlElement("w:w")
        width.set(qn("w:val"), str(scale))
        rpr.insert_element_before(width, *_AFTER_SPACING[1:])


def _font(
    font: Any, element: Any, name: str, size: Length | None = None, bold: bool = False
) -> None:
    font.name = name
    font.bold = bold
    if size is not None:
        font.size = size
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _fallback_fonts(doc: DocxDocument) -> None:
    """Name each official font in the font table with its common substitute (w:altName)."""
    part = doc.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    if not hasattr(part, "_blob"):
        return
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in FALLBACKS.items()
    )
    part._blob = re.sub(rb"</w:fonts>\s*$", entries.encode() + b"</w:fonts>", part.blob)


def _paragraph(
    doc: DocxDocument,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: Length = BODY_SIZE,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent_chars: float = 0,
    color: RGBColor | None = None,
) -> Paragraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent_chars:
        p.paragraph_format.first_line_indent = Pt(CHAR_PITCH_PT * indent_chars)
    if text:
        _run(p, text, font=font, size=size, bold=bold, color=color)
    return p


def _run(
    p: Paragraph,
    text: str,
    *,
    font: str,
    size: Length,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Run:
    run = p.add_run(text)
    _font(run.font, run._element, font, size, bold)
    if color is not None:
        run.font.color.rgb = color
    return run


def _border(p: Paragraph, side: str, *, size_eighths: int, color: str, space: int = 0) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_BORDERS)
    line = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", size_eighths), ("space", space), ("color", color)):
        line.set(qn(f"w:{key}"), str(value))
    borders.append(line)


def _head(doc: DocxDocument, d: OfficialDocument) -> None:
    size, scale = mark_size(d.authority_mark)
    mark = _paragraph(
        doc, d.authority_mark, font=TITLE_FONT, size=Pt(size), align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
    )  # fmt: skip
    _spacing(mark.runs[0]._element.get_or_add_rPr(), 0, scale)
    mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    mark.paragraph_format.space_before = Mm(35)  # 上边缘至版心上边缘 35 mm
    _paragraph(doc)
    _paragraph(doc)
    number = _paragraph(doc, d.document_number, align=WD_ALIGN_PARAGRAPH.CENTER)
    _border(number, "bottom", size_eighths=12, color="FF0000", space=11)  # red line 4 mm below
    _paragraph(doc)
    _paragraph(doc)
    _paragraph(doc, d.title, font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc)
    if d.recipients:
        _paragraph(doc, d.recipients.rstrip("：:") + "：")


def _block(doc: DocxDocument, block: Block) -> None:
    if block.kind == "heading1":
        _paragraph(doc, block.text, font=HEADING_FONT, indent_chars=2)
    elif block.kind == "heading2":
        _paragraph(doc, block.text, font=KAI_FONT, indent_chars=2)
    else:
        p = _paragraph(doc, indent_chars=2)
        if block.lead:
            _run(p, block.lead, font=BODY_FONT, size=BODY_SIZE, bold=True)
        _run(p, block.text, font=BODY_FONT, size=BODY_SIZE)


def _signature(doc: DocxDocument, d: OfficialDocument) -> None:
    names = d.attachment_names
    if names:  # 附件说明: 正文下空一行左空二字; further names align under the first
        _paragraph(doc)
        for i, name in enumerate(names, start=1):
            numbered = f"{i}．{name}" if len(names) > 1 else name
            p = _paragraph(doc, ("附件：" if i == 1 else "") + numbered)
            p.paragraph_format.left_indent = Pt(CHAR_PITCH_PT * (2 if i == 1 else 5))
    _paragraph(doc)
    _paragraph(doc)
    issued = cn_date(d.issued_on)  # 2012 edition: Arabic numerals
    right = CHAR_PITCH_PT * 4  # 成文日期右空四字
    # 署名以成文日期为准居中; Arabic digits are half as wide as a character
    date_width = sum(0.5 if c.isdigit() else 1 for c in issued)
    offset = max((date_width - len(d.signature)) * CHAR_PITCH_PT / 2, 0)
    sig = _paragraph(doc, d.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sig.paragraph_format.right_indent = Pt(right + offset)
    when = _paragraph(doc, issued, align=WD_ALIGN_PARAGRAPH.RIGHT)
    when.paragraph_format.right_indent = Pt(right)


def _appendix(doc: DocxDocument, label: str, appendix: Appendix) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _paragraph(doc, label, font=HEADING_FONT)
    _paragraph(doc)
    _paragraph(
        doc, appendix.title, font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    if appendix.preamble:
        _paragraph(doc, appendix.preamble)
    columns = len(appendix.header)
    table = doc.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, appendix.header, strict=True):
        _cell(cell, text, bold=True)
    for row in appendix.rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _cell(cell, text)
    widths = appendix.widths_mm or (156 / columns,) * columns
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))  # LibreOffice reads the grid
    for column, col, width in zip(table.columns, grid, widths, strict=True):
        col.set(qn("w:w"), str(Mm(width).twips))
        for c in column.cells:
            c.width = Mm(width)


def _cell(cell: _Cell, text: str, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(p, text, font=BODY_FONT, size=NOTE_SIZE, bold=bold)


def _colophon(doc: DocxDocument, d: OfficialDocument) -> None:
    """版记 at the foot of the last page: 抄送 (if any), then 印发机关 and 印发日期, between a
    thick, a thin and a thick black rule. A table floating at the bottom of the text block
    (anchored to the page horizontally: LibreOffice floats no table as wide as the text)."""
    _paragraph(doc)  # keeps it apart from a 附件 table before it
    cc = f"抄送：{'、'.join(d.cc)}。" if d.cc else ""
    lines = [math.ceil(len(cc) / COLOPHON_CHARS)] if cc else []
    table = doc.add_table(rows=len(lines) + 1, cols=1)
    _float_at_foot(table._tbl.tblPr, lines=sum(lines) + 1)
    width = round(TEXT_WIDTH_PT * 20)
    table._tbl.tblGrid.find(qn("w:gridCol")).set(qn("w:w"), str(width))
    for row, count in zip(table.rows, [*lines, 1], strict=True):
        row.height = Twips(LINE_PITCH_TWIPS * count)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        row.cells[0].width = Twips(width)
        fmt = row.cells[0].paragraphs[0].paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(NOTE_SIZE.pt)  # 左右各空一字
    if cc:
        _run(table.cell(0, 0).paragraphs[0], cc, font=BODY_FONT, size=NOTE_SIZE)
    printed = table.rows[-1].cells[0].paragraphs[0]
    _run(printed, f"{d.printed_by}\t{cn_date(d.printed_on)}印发", font=BODY_FONT, size=NOTE_SIZE)
    printed.paragraph_format.tab_stops.add_tab_stop(
        Twips(width - round(NOTE_SIZE.pt * 20)), WD_TAB_ALIGNMENT.RIGHT
    )
    anchor = doc.add_paragraph()  # the table's anchor; a document ends with a paragraph
    anchor.paragraph_format.line_spacing = Pt(1)


def _float_at_foot(tbl_pr: Any, *, lines: int) -> None:
    """Table properties: floating, its bottom on the text block's, rules above, between
    the rows and below, no cell margins, as wide as the text."""
    floating = OxmlElement("w:tblpPr")
    for key, value in (
        ("leftFromText", "0"), ("rightFromText", "0"), ("vertAnchor", "margin"),
        ("horzAnchor", "page"), ("tblpX", str(round(MARGIN_LEFT.pt * 20))),
        ("tblpY", str(round(TEXT_HEIGHT_PT * 20) - lines * LINE_PITCH_TWIPS)),
    ):  # fmt: skip
        floating.set(qn(f"w:{key}"), value)
    tbl_pr.insert(1 if tbl_pr.find(qn("w:tblStyle")) is not None else 0, floating)
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(round(TEXT_WIDTH_PT * 20)))
    borders = OxmlElement("w:tblBorders")
    for side, eighths in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 6)):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single" if eighths else "nil")
        if eighths:
            for key, value in (("sz", str(eighths)), ("space", "0"), ("color", "000000")):
                line.set(qn(f"w:{key}"), value)
        borders.append(line)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    margins = OxmlElement("w:tblCellMar")  # none: the paragraphs' indents leave 一字
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.insert_element_before(margins, "w:tblLook")


def _page_numbers(doc: DocxDocument) -> None:
    """— n — in 4号宋体: odd pages right (右空一字), even pages left (左空一字)."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(NOTE_SIZE.pt)
        _run(p, "— ", font=NUMBER_FONT, size=NOTE_SIZE)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        p._p.append(field)
        inner = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        inner.append(text)
        field.append(inner)
        _run(p, " —", font=NUMBER_FONT, size=NOTE_SIZE)
