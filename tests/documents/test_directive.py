"""The directive's content comes from the plan: tasks, units, dates, duties and deadlines."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from campaign.documents import build_directive, directive_docx, directive_html
from campaign.plan import Plan, load_plan
from campaign.schedule import Event, build_schedule

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def directive_events(plan: Plan) -> dict[str, Event]:
    return {e.key: e for e in build_schedule(plan) if e.kind == "directive"}


def text_of(directive) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(b.lead + b.text for b in directive.blocks)


def test_mobilization_directive_from_the_hubei_plan(hubei_plan: Plan) -> None:
    d = build_directive(
        plan=hubei_plan, event=directive_events(hubei_plan)["directive:mobilization"]
    )
    assert d.authority_mark == "湖北省质量技术监督局文件"
    assert d.document_number == "鄂质监发〔2007〕77号"
    assert d.title == "关于做好全省质监系统产品质量和食品安全专项整治宣传发动阶段工作的通知"
    assert d.recipients == "各市州、省直管市、神农架林区质量技术监督局"
    assert d.issued_on == date(2007, 8, 27) and d.printed_on == date(2007, 8, 27)
    assert d.cc == ["国家质检总局", "省政府"] and d.printed_by == "湖北省质量技术监督局办公室"
    body = text_of(d)
    for task in hubei_plan.phase("mobilization").tasks:
        assert task.title in body
    assert "（责任单位：省局人劳处；配合单位：法规处、监督处、食品生产监管处、各地方局）" in body
    assert "（责任单位：省局稽查分局；配合单位：各地方局；时间：8月20日起）" in body
    assert "2007年8月10日至2007年8月31日" in body
    assert "阶段工作小结。各市州局在阶段性工作结束后5日内上报（宣传发动阶段于9月5日前）" in body
    assert "动态信息" not in body  # weekly reports belong to the implementation phase
    assert d.acknowledge_by == date(2007, 8, 14)  # 2 working days after 08-10 (a Friday)
    assert [a.title for a in d.appendices] == ["阶段工作小结"]


def test_implementation_directive_lists_actions_and_weekly_deadlines(hubei_plan: Plan) -> None:
    event = directive_events(hubei_plan)["directive:implementation"]
    d = build_directive(plan=hubei_plan, event=event)
    headings = [b.text for b in d.blocks if b.kind == "heading2"]
    assert headings == [
        "（一）市场准入集中检查（8月20日至9月20日）",
        "（二）管理制度集中检查（9月21日至10月20日）",
        "（三）小作坊集中整治（10月21日至11月20日）",
    ]
    body = text_of(d)
    assert "于每周五前报送，本阶段首次报送截止日期为8月24日，最后一次为11月20日" in body
    assert "配合单位：各地方局；时间：9月10日至9月19日）" in body
    assert d.issued_on == event.date  # later directives are dated the day they go out
    assert [a.title for a in d.appendices] == [
        "产品质量和食品安全专项整治工作进展情况统计表",
        "阶段工作小结",
    ]
    progress = d.appendices[0]
    assert progress.rows[6] == ("7", "监督抽查批次（累计）", "批次", "整数，≥0")
    assert progress.rows[-1] == ("15", "情况说明", "", "文字")


def test_other_schedules_monthly_fixed_dates_working_days() -> None:
    plan = load_plan(EXAMPLES / "ebike-2026.yaml")
    events = directive_events(plan)
    body = text_of(build_directive(plan=plan, event=events["directive:rectification"]))
    assert "每月报送一次，本阶段截止日期依次为5月5日" in body
    assert "个工作日内上报" in body
    assert "各县（市、区）局" in body
    assert "分别于" in body


def test_docx_layout_details(hubei_plan: Plan) -> None:
    d = build_directive(
        plan=hubei_plan, event=directive_events(hubei_plan)["directive:implementation"]
    )
    doc = Document(io.BytesIO(directive_docx(d)))
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    line_pitch_pt = int(grid.get(qn("w:linePitch"))) / 20
    text_height_pt = (297 - 37 - 35) / 25.4 * 72
    text_width_pt = (210 - 28 - 26) / 25.4 * 72
    assert int(text_height_pt // line_pitch_pt) == 22
    normal = doc.styles["Normal"]
    assert normal.font.size.pt == 16
    spacing_pt = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert int(text_width_pt // (16 + spacing_pt)) == 28  # 28 condensed characters a line
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    heading = next(p for p in doc.paragraphs if p.text == "一、工作任务")
    assert heading.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    sub = next(p for p in doc.paragraphs if p.text.startswith("（一）市场准入"))
    assert sub.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体_GB2312"
    date_para = next(p for p in doc.paragraphs if p.text == "2007年8月20日")  # Arabic, 2012
    assert round(date_para.paragraph_format.right_indent.pt) == 63  # 成文日期右空四字
    assert any(
        p.text == "附件：1．产品质量和食品安全专项整治工作进展情况统计表" for p in doc.paragraphs
    )
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "指标名称", "计量单位", "填报说明"]
    assert table.rows[1].cells[1].text == "食品生产加工企业数"
    fonts = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob.decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in fonts
    assert doc.settings.odd_and_even_pages_header_footer
    footer = doc.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer and "— " in footer


def test_html_preview_matches(hubei_plan: Plan) -> None:
    d = build_directive(plan=hubei_plan, event=directive_events(hubei_plan)["directive:acceptance"])
    html = directive_html(d)
    assert d.title in html and "2007年11月21日" in html
    assert "检查验收" in html and "抄送：国家质检总局、省政府。" in html
    assert "2007年11月21日印发" in html
    assert "<table>" in html  # the blank statistical table of 专项整治工作总结
