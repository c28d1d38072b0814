"""Drafts of the 阶段小结, the 工作总结 and the 通报 as .docx, in the directives' GB/T 9704

The wording comes from templates (templates/documents/stage_summary.txt, bulletin.txt;
a plan's templates_dir may bring its own), rendered over a stored summary's result
(campaign.results.summary): one line per paragraph, "# " and "## " headings,
"[[表 名称]]" a table of figures, "[[图 名称]]" a chart. The page, the 发文机关标志, the
signature, the 版记 and the page numbers are those of every 公文 the campaign writes
(campaign.documents.gbt9704); the 发文字号 is left for the office to fill in.
A coordinator edits the paragraphs marked for it before the document is issued.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml.etree import SubElement

from campaign.documents.gbt9704 import (
    BODY_FONT,
    NOTE_SIZE,
    _block,
    _colophon,
    _fallback_fonts,
    _font,
    _head,
    _page_numbers,
    _page_setup,
    _signature,
    _spacing,
    _styles,
)
from campaign.documents.official import Block, OfficialDocument
from campaign.plan.schema import Plan
from campaign.templating import get_environment

DocumentKind = Literal["stage", "final", "bulletin", "acceptance"]
TEMPLATE = {
    "stage": "stage_summary.txt",
    "final": "stage_summary.txt",
    "bulletin": "bulletin.txt",
    "acceptance": "acceptance.txt",
}
COMPARATOR_CN = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于"}
DRAFT_NUMBER = "〔    〕号"
CELL_STYLE = "表格文字"
NAMED = 30  # laggards named one by one in the text; the rest are in the table
LISTED = 100  # laggards in the table one per row; more are grouped by their situation
_PLACEHOLDER = re.compile(r"^\[\[(表|图) (.+)\]\]$")


@dataclass(frozen=True)
class Line:
    kind: Literal["heading1", "heading2", "paragraph", "table", "chart"]
    text: str


def context(result: dict[str, Any], plan: Plan, kind: DocumentKind) -> dict[str, Any]:
    """What the templates read: the summary's figures in sentences' terms."""
    stage = result.get("stage", {})
    reports = result.get("reports", {})
    final = kind == "final" or not stage.get("key")
    if stage.get("start"):
        start, end = date.fromisoformat(stage["start"]), date.fromisoformat(stage["end"])
        period = f"{start.month}月{start.day}日至{end.month}月{end.day}日"
    else:
        period = f"方案实施以来（截至{_md(result.get('today'))}）"
    laggard_names = {row["name"] for row in result.get("laggards", [])}
    good = [
        row["name"]
        for row in result.get("by_unit", [])
        if row["reported"] and row["name"] not in laggard_names
    ]
    return {
        "final": final,
        "core": plan.title.removesuffix("实施方案"),
        "plan_title": plan.title,
        "document_number": plan.document_number,
        "office": plan.office.name,
        "stage_name": stage.get("name") or "",
        "period_phrase": period,
        "reports": reports,
        "rate": f"{reports['reporting_rate']}%" if reports.get("reporting_rate") else "无法计算",
        "missing_units": [row["name"] for row in result.get("by_unit", []) if row["missing"]],
        "totals": [
            {"label": t["label"], "text": _total_text(t)}
            for t in result.get("totals", [])
            if t["total"] is not None or t["median"] is not None
        ],
        "targets": [_target(t) for t in result.get("targets", [])],
        "laggards": result.get("laggards", []),
        "named": NAMED,
        "good": good,
        "notes": result.get("notes", []),
        "inspections": result.get("inspections", []),
        "orders": result.get("orders", []),
    }


def _md(day: str | None) -> str:
    if not day:
        return "目前"
    d = date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def _total_text(total: dict[str, Any]) -> str:
    unit = total["unit"]
    if total["total"] is not None:
        return f"{total['total']}{unit}"
    return (
        f"各单位中位数{total['median']}{unit}（最低{total['min']}{unit}、最高{total['max']}{unit}）"
    )


def _target(t: dict[str, Any]) -> dict[str, Any]:
    unit = t["unit"] or ""
    if t["value"] is not None:
        actual = f"实际{t['value']}{unit}"
    elif t["zero_denominator"] and not t["missing"]:
        actual = "分母为零，无法计算"
    elif t["note"] and t["status"] != "无法评价":
        actual = t["note"]
    else:
        actual = "尚无数据"
    comparator = COMPARATOR_CN.get(t["comparator"], t["comparator"])
    return {
        **t,
        "requirement": f"{comparator}{t['threshold']}{unit}",
        "actual": actual,
        "value_text": f"{t['value']}{unit}" if t["value"] is not None else None,
        "no_value": actual,
        "by_units": judged_by_units(t),
    }


def judged_by_units(t: dict[str, Any]) -> bool:
    """Whether the target is met by each unit (scope per unit, a percent field, per-unit
    thresholds…: campaign.results.targets) rather than by the overall figure; summaries
    stored before this was kept: by their scope."""
    return bool(t.get("by_units", t.get("scope") == "per_bureau"))


def target_verdict(t: dict[str, Any]) -> str:
    """The verdict on a target in the documents' words (templates/documents/_target.txt);
    t: value_text, no_value, requirement, status, by_units, failing, missing."""
    module = get_environment().get_template("documents/_target.txt").module
    return str(module.verdict(t))  # type: ignore[attr-defined]


def render_lines(
    result: dict[str, Any], plan: Plan, kind: DocumentKind, templates_dir: Path | None = None
) -> tuple[str, list[Line]]:
    """(title, body lines) of the document, from its template."""
    template = get_environment(templates_dir).get_template(f"documents/{TEMPLATE[kind]}")
    text = template.render(**context(result, plan, kind))
    rows = [row.strip() for row in text.splitlines() if row.strip()]
    title, body = rows[0], rows[1:]
    lines = []
    for row in body:
        match = _PLACEHOLDER.match(row)
        if match:
            lines.append(Line("table" if match[1] == "表" else "chart", match[2]))
        elif row.startswith("## "):
            lines.append(Line("heading2", row[3:]))
        elif row.startswith("# "):
            lines.append(Line("heading1", row[2:]))
        else:
            lines.append(Line("paragraph", row))
    return title, lines


def tables(result: dict[str, Any]) -> dict[str, list[list[str]]]:
    """The tables a template may place, header row first."""
    targets = [["目标", "要求", "实际", "差距", "评价"]] + [
        [
            t["name"],
            f"{t['comparator']} {t['threshold']}{t['unit']}",
            f"{t['value']}{t['unit']}" if t["value"] is not None else "无数据",
            t["gap"] if t["gap"] is not None else "—",
            t["status"],
        ]
        for t in result.get("targets", [])
    ]
    figures = [["指标", "合计", "说明"]] + [
        [f"{t['label']}（{t['unit']}）" if t["unit"] else t["label"], t["total"] or "—", t["note"]]
        for t in result.get("totals", [])
    ]
    laggards = laggards_table(result.get("laggards", []))
    inspections = [["单位", "检查日期", "结论", "发现的问题"]] + [
        [i["unit"], i["date"], i["verdict"], i["findings"]] for i in result.get("inspections", [])
    ]
    orders = [["编号", "单位", "整改事项", "整改期限", "状态", "办理经过"]] + [
        [f"第{o['number']}号", o["unit"], o["what"], o["deadline"], o["status"], o.get("steps", "")]
        for o in result.get("orders", [])
    ]
    return {
        "工作目标": targets,
        "主要数据": figures,
        "落后单位": laggards,
        "现场检查": inspections,
        "整改": orders,
    }


def laggards_table(laggards: list[dict[str, Any]]) -> list[list[str]]:
    """The units behind, one per row; beyond LISTED (a registry of thousands) one row per
    situation with its units' number and names, in the order they first appear: a 通报
    of 3,000 units names them all in a few rows, the workbook's 未报 sheet one per row."""
    if len(laggards) <= LISTED:
        return [["单位", "情况"]] + [[r["name"], r["reasons"]] for r in laggards]
    groups: dict[str, list[str]] = {}
    for r in laggards:
        groups.setdefault(r["reasons"], []).append(r["name"])
    return [["情况", "单位数", "单位"]] + [
        [reasons, str(len(names)), "、".join(names)] for reasons, names in groups.items()
    ]


def summary_docx(
    result: dict[str, Any],
    plan: Plan,
    kind: DocumentKind,
    *,
    charts: dict[str, Path] | None = None,
    issued_on: date | None = None,
    templates_dir: Path | None = None,
) -> bytes:
    """The .docx bytes of a draft; `charts` maps a chart's name (报送率, 主要指标趋势,
    目标完成情况) to its PNG (a chart not given is left out)."""
    title, lines = render_lines(result, plan, kind, templates_dir)
    issued = issued_on or (date.fromisoformat(result["today"]) if result.get("today") else None)
    head = OfficialDocument(
        authority_mark=f"{plan.issuing_authority}文件",
        document_number=DRAFT_NUMBER,
        title=title,
        recipients=plan.document.recipients,
        blocks=[],
        signature=plan.issuing_authority,
        issued_on=issued or plan.end,
        cc=list(plan.document.cc),
        printed_by=plan.document.printed_by,
        printed_on=issued or plan.end,
    )
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _fallback_fonts(doc)
    _head(doc, head)
    figures, pictures = tables(result), charts or {}
    for line in lines:
        if line.kind == "table":
            _table(doc, figures.get(line.text, []))
        elif line.kind == "chart":
            if line.text in pictures and pictures[line.text].exists():
                _chart(doc, pictures[line.text])
        else:
            _block(doc, Block(line.kind, line.text))
    _signature(doc, head)
    _colophon(doc, head)
    _page_numbers(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc: DocxDocument, rows: list[list[str]]) -> None:
    """A table of figures; its text in one paragraph style (4号仿宋, single spacing),
    written as XML: python-docx's per-run font and style setters cost seconds for the
    thousands of cells of a large registry."""
    if len(rows) < 2:
        return
    style_id = _cell_style(doc).style_id
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for i, (tr, row) in enumerate(zip(table._tbl.tr_lst, rows, strict=True)):
        for tc, value in zip(tr.tc_lst, row, strict=True):
            p = tc.p_lst[0]
            SubElement(SubElement(p, qn("w:pPr")), qn("w:pStyle")).set(qn("w:val"), style_id)
            run = SubElement(p, qn("w:r"))
            if i == 0:
                SubElement(SubElement(run, qn("w:rPr")), qn("w:b"))
            t = SubElement(run, qn("w:t"))
            t.text = str(value)
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    doc.add_paragraph()


def _cell_style(doc: DocxDocument) -> Any:
    if CELL_STYLE in [s.name for s in doc.styles]:
        return doc.styles[CELL_STYLE]
    style = doc.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _font(style.font, style.element, BODY_FONT, NOTE_SIZE)
    _spacing(style.element.get_or_add_rPr(), 0)  # the body's condensing is for 3号 text
    style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    style.paragraph_format.first_line_indent = Pt(0)
    return style


def _chart(doc: DocxDocument, path: Path) -> None:
    doc.add_picture(str(path), width=Mm(150))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # not the text grid
