"""The directive's content comes from the plan: tasks, units, dates, duties and deadlines;
its wording from the plan and the template, never from another plan."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from campaign.documents import Directive, build_directive, directive_docx, directive_html
from campaign.plan import Plan, PlanError, load_plan, load_plan_text
from campaign.schedule import Event, build_schedule

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EBIKE_TEXT = (EXAMPLES / "ebike-2026.yaml").read_text(encoding="utf-8")
# Words one plan's directive once carried into every other's, and doubled words.
FOREIGN = ["省局制定了", "各市州局", "专项整治", "湖北", "鄂质监", "各地方局", "省局", "各地要"]
NEVER = ["工作工作", "阶段阶段", "通知通知", "、、", "。。", "None"]


def directive_events(plan: Plan) -> dict[str, Event]:
    return {e.key: e for e in build_schedule(plan) if e.kind == "directive"}


def text_of(directive: Directive) -> str:
    return "\n".join(b.lead + b.text for b in directive.blocks)


def every_word(directive: Directive) -> str:
    """All a unit reads of the directive: head, body, 附件, signature and 版记."""
    return "\n".join(
        [
            directive.authority_mark, directive.document_number, directive.title,
            directive.recipients, text_of(directive), directive.signature, *directive.cc,
            directive.printed_by, *directive.attachment_names,
            *(cell for a in directive.appendices for row in a.rows for cell in row),
        ]
    )  # fmt: skip


def replaced(old: str, new: str, text: str = EBIKE_TEXT) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_hubei_plan_issues_one_directive_for_the_whole_plan(hubei_plan: Plan) -> None:
    events = directive_events(hubei_plan)
    assert list(events) == ["directive:mobilization"]
    event = events["directive:mobilization"]
    assert event.date == date(2007, 8, 27)  # issued on its 成文日期
    d = build_directive(plan=hubei_plan, event=event)
    assert d.authority_mark == "湖北省质量技术监督局文件"
    assert d.document_number == "鄂质监发〔2007〕77号"
    assert d.title == "关于印发《全省质监系统产品质量和食品安全专项整治实施方案》的通知"
    assert d.recipients == "各市州、省直管市、神农架林区质量技术监督局"
    assert d.issued_on == date(2007, 8, 27) and d.printed_on == date(2007, 8, 27)
    assert d.cc == ["国家质检总局", "省政府"] and d.printed_by == "湖北省质量技术监督局办公室"
    assert d.blocks[0].text.startswith("为贯彻落实国务院关于开展产品质量和食品安全专项整治")
    headings = [b.text for b in d.blocks if b.kind == "heading1"]
    assert headings == [
        "一、宣传发动阶段（2007年8月10日至8月31日）",
        "二、实施阶段（2007年8月20日至11月20日）",
        "三、总结验收阶段（2007年11月21日至12月10日）",
        "四、报送要求",
        "五、有关要求",
    ]
    body = text_of(d)
    for phase in hubei_plan.phases:  # every phase, action and task
        for task in [*phase.tasks, *(t for a in phase.actions for t in a.tasks)]:
            assert task.title in body
    assert "（责任单位：省局人劳处；配合单位：法规处、监督处、食品生产监管处、各地方局）" in body
    assert "（责任单位：省局稽查分局；配合单位：各地方局；时间：8月20日起）" in body
    # reports of later phases included, the reporters named as the plan names them
    assert "各市州局每周至少报送一次，于每周五前报送，首次报送截止日期为8月24日" in body
    assert "（宣传发动阶段于9月5日前；市场准入集中检查于9月25日前；" in body
    assert (
        "专项整治工作总结。各市州局于12月3日以前上报，填报《专项整治工作总结》（附件3）"
    )  # 12-01: a Saturday in body
    assert d.acknowledge_by == date(2007, 8, 29)  # 2 working days after 08-27 (a Monday)
    assert d.attachment_names == [
        "产品质量和食品安全专项整治工作进展情况统计表",
        "阶段工作小结",
        "专项整治工作总结",
    ]
    progress = d.appendices[0]
    assert progress.rows[6] == ("7", "监督抽查批次（累计）", "批次", "整数，≥0")
    assert progress.rows[-1] == ("15", "情况说明", "", "文字")


def test_one_directive_per_phase_each_with_its_number_and_date() -> None:
    plan = load_plan(EXAMPLES / "ebike-2026.yaml")
    events = directive_events(plan)
    assert list(events) == ["directive:deployment", "directive:rectification", "directive:review"]
    first, middle, last = (build_directive(plan=plan, event=e) for e in events.values())
    assert (first.document_number, first.issued_on) == (
        "示例市监质发〔2026〕15号",
        date(2026, 2, 26),
    )
    assert first.title == "关于印发《电动自行车及锂离子蓄电池产品质量安全专项整治实施方案》的通知"
    assert (middle.document_number, middle.issued_on) == (
        "示例市监质发〔2026〕38号",
        date(2026, 4, 1),
    )
    assert middle.title == "关于开展电动自行车及锂离子蓄电池产品质量安全集中整治的通知"
    assert middle.printed_on == date(2026, 4, 1)
    assert (last.document_number, last.issued_on) == (
        "示例市监质发〔2026〕97号",
        date(2026, 10, 28),
    )
    body = text_of(middle)
    assert body.startswith("根据《电动自行车及锂离子蓄电池产品质量安全专项整治实施方案》")
    assert (
        "月度工作情况。各县（市、区）局每月报送一次，本阶段截止日期依次为5月6日" in body
    )  # 05-05: 劳动节
    assert "个工作日内上报" in body and "分别于" in body
    assert "（附件1）" in body and "（附件2）" in body


def test_a_window_without_tasks_or_duties_leaves_no_gap_in_the_numbering() -> None:
    plan = load_plan(EXAMPLES / "ebike-2026.yaml")
    review = plan.phase("review")
    bare = plan.model_copy(
        update={"phases": [*plan.phases[:2], review.model_copy(update={"tasks": []})]}
    )
    d = build_directive(plan=bare, event=directive_events(bare)["directive:review"])
    assert [b.text for b in d.blocks if b.kind == "heading1"] == ["一、报送要求", "二、有关要求"]
    assert [a.title for a in d.appendices] == ["专项整治工作总结"]
    assert "（附件）" in text_of(d)  # one attachment: 附件, as its page is labelled
    no_duties = bare.model_copy(update={"duties": []})
    d = build_directive(plan=no_duties, event=directive_events(no_duties)["directive:review"])
    assert [b.text for b in d.blocks if b.kind == "heading1"] == ["一、有关要求"]


def test_dates_carry_the_year_when_the_plan_spans_years() -> None:
    plan = load_plan_text(replaced("    end: 2026-12-11\n", "    end: 2027-01-29\n"))
    d = build_directive(plan=plan, event=directive_events(plan)["directive:rectification"])
    body = text_of(d)
    assert "本阶段截止日期依次为2026年5月6日、2026年6月5日" in body
    assert "（一）生产环节排查整治（2026年4月1日至2026年6月30日）" in body


def test_a_directive_dated_after_it_goes_out_is_refused() -> None:
    text = replaced("    issued_on: 2026-10-28  #", "    issued_on: 2026-11-03  #")
    text = replaced("  issued_on: 2026-02-26\n", "  issued_on: 2026-03-05\n", text)
    text = replaced(
        "    document_number: 示例市监质发〔2026〕38号",
        "    document_number: 示例市监质发〔2026〕97号",
        text,
    )
    with pytest.raises(PlanError) as raised:
        load_plan_text(text)
    problems = {p.where: p for p in raised.value.problems}
    assert set(problems) == {
        "document.issued_on", "phases[2].issued_on", "phases[2].document_number"
    }  # fmt: skip
    assert "成文日期" in problems["phases[2].issued_on"].message
    assert problems["phases[2].issued_on"].line is not None
    assert "phases[1].document_number" in problems["phases[2].document_number"].message
    text = replaced("    document_number: 示例市监质发〔2026〕97号\n", "")
    with pytest.raises(PlanError) as raised:
        load_plan_text(text)
    assert [p.where for p in raised.value.problems] == ["phases[2].document_number"]
    assert "发文字号" in raised.value.problems[0].message


def test_a_plan_issuing_one_directive_gives_its_phases_none() -> None:
    text = replaced("  subject_words: [", "  directives: plan\n  subject_words: [")
    with pytest.raises(PlanError) as raised:
        load_plan_text(text)
    assert {p.where for p in raised.value.problems} == {
        "phases[1].directive_title", "phases[1].document_number", "phases[2].directive_title",
        "phases[2].document_number", "phases[2].issued_on",
    }  # fmt: skip


@pytest.mark.parametrize("plan_file", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_directive_speaks_only_its_plans_words(plan_file: Path) -> None:
    source = plan_file.read_text(encoding="utf-8")
    plan = load_plan(plan_file)
    others = [load_plan(f) for f in EXAMPLES.glob("*.yaml") if f != plan_file]
    foreign = FOREIGN + [
        words
        for other in others
        for words in (
            other.issuing_authority, other.document.recipients, other.office.name,
            other.document.printed_by, *other.document.addressees.values(),
        )
    ]  # fmt: skip
    for event in directive_events(plan).values():
        directive = build_directive(plan=plan, event=event)
        words = every_word(directive) + directive_html(directive)
        for phrase in foreign:
            assert phrase not in words or phrase in source, (event.key, phrase)
        for phrase in NEVER:
            assert phrase not in words, (event.key, phrase)


def test_docx_layout_details(hubei_plan: Plan) -> None:
    d = build_directive(
        plan=hubei_plan, event=directive_events(hubei_plan)["directive:mobilization"]
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
    heading = next(p for p in doc.paragraphs if p.text == "四、报送要求")
    assert heading.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    sub = next(p for p in doc.paragraphs if p.text.startswith("（一）市场准入"))
    assert sub.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "楷体_GB2312"
    date_para = next(p for p in doc.paragraphs if p.text == "2007年8月27日")  # Arabic, 2012
    assert round(date_para.paragraph_format.right_indent.pt) == 63  # 成文日期右空四字
    assert any(
        p.text == "附件：1．产品质量和食品安全专项整治工作进展情况统计表" for p in doc.paragraphs
    )
    labels = [p.text for p in doc.paragraphs if p.text.startswith("附件") and "：" not in p.text]
    assert labels == ["附件1", "附件2", "附件3"]  # each page labelled as the 附件 line numbers it
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


def test_html_preview_matches() -> None:
    plan = load_plan(EXAMPLES / "ebike-2026.yaml")
    d = build_directive(plan=plan, event=directive_events(plan)["directive:review"])
    html = directive_html(d)
    assert d.title in html and "2026年10月28日" in html
    assert "省局检查验收" in html and "抄送：国家市场监督管理总局产品质量安全监督管理司。" in html
    assert "2026年10月28日印发" in html
    assert '<p class="flush h1">附件</p>' in html  # its one attachment, labelled 附件
    assert "<table>" in html  # the blank statistical table of 专项整治工作总结


def test_a_plans_own_template_words_its_directives(hubei_plan: Plan, tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "directive_body.txt").write_text(
        "{{ document.opening }}\n"
        "# {{ cn(1) }}、工作安排\n"
        "* 1．{{ sections[0].name }}。 ‖ 按方案执行。\n",
        encoding="utf-8",
    )
    event = directive_events(hubei_plan)["directive:mobilization"]
    d = build_directive(plan=hubei_plan, event=event, plan_templates=tmp_path)
    assert [(b.kind, b.lead, b.text) for b in d.blocks][1:] == [
        ("heading1", "", "一、工作安排"),
        ("item", "1．宣传发动阶段。", "按方案执行。"),
    ]
