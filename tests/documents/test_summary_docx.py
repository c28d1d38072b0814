"""The 阶段小结 and 通报 drafts: written from templates, opened back and checked."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from campaign.documents.summary_docx import (
    LISTED,
    judged_by_units,
    laggards_table,
    summary_docx,
    target_verdict,
)
from campaign.results.compile import compile_results
from campaign.results.outputs import write_outputs
from campaign.results.summary import summary_result
from tests.results.fixture import ROWS, TODAY, frames


def texts(path_or_bytes) -> list[str]:  # type: ignore[no-untyped-def]
    source = path_or_bytes if isinstance(path_or_bytes, Path) else _buffer(path_or_bytes)
    return [p.text for p in Document(source).paragraphs if p.text.strip()]


def _buffer(data: bytes):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


def test_the_stage_summary_has_figures_charts_tables_and_the_directive_layout(tmp_path):
    out = write_outputs(frames(), tmp_path, today=TODAY)
    doc = Document(str(out.summary))
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    assert lines[:3] == ["测试局文件", "〔    〕号", "关于测试专项行动集中整治工作情况的小结"]
    body = "\n".join(lines)
    assert "应报报告7份，已报5份，其中按时报送4份、迟报1份，未报2份，报送率71.43%" in body
    # A per-unit target: the overall figure meets it, one unit does not; the sentence says
    # which scope it judges (not "93.33%, 未达标").
    said = "获证率：总体93.33%（要求不低于90%），1个单位未达标：乙局；无数据（未报）单位：丙局。"
    assert said in body
    assert "丁局分母为零，无法计算" in body  # zero denominator, in words
    assert "丙局：报告均被退回，尚无有效数据" in body  # only returned answers
    assert "丁局：启动后加入" in body  # a unit added after launch
    assert "（此处由测试办公室填写下一步工作安排。）" in body  # for the coordinator
    headings = [p for p in doc.paragraphs if p.text.startswith("三、")]
    assert headings[0].runs[0].font.name == "黑体"
    assert len(doc.inline_shapes) == 3  # 报送率, 主要指标趋势, 目标完成情况
    (figures, targets) = [t for t in doc.tables if t.rows[0].cells[0].text in ("目标", "指标")]
    assert [c.text for c in targets.rows[1].cells][:3] == ["获证率", ">= 90%", "93.33%"]
    assert [c.text for c in figures.rows[1].cells][:2] == ["检查企业数（家次）", "17"]
    section = doc.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert round(section.page_width.mm) == 210


def test_the_bulletin_names_those_behind_and_those_doing_well(tmp_path):
    # Without 乙局 and 丁局: 甲局 reports late, 丙局 only a returned answer.
    rows = [r for r in ROWS if r[1] in ("001", "003")]
    rows = [(r[0], r[1], r[2], (r[3][0], False, *r[3][2:]) if r[3] else None) for r in rows]
    out = write_outputs(frames(rows), tmp_path, today=TODAY)
    body = "\n".join(texts(out.bulletin))
    assert "关于测试专项行动集中整治工作进展情况的通报" in body
    good, behind = body.split("三、工作滞后的单位")
    assert "甲局按时报送，各项工作目标均已达到，予以通报表扬。" in good
    assert "丙局：未报2期。" in behind and "甲局" not in behind.split("四、")[0]


def test_a_target_verdict_says_which_scope_it_judges():
    """Per unit: the overall figure and the units short of it, counted and named; overall:
    the overall figure judged, units below it named apart."""
    base = {"value_text": "97.38%", "no_value": "尚无数据", "requirement": "不低于95%",
            "missing": []}  # fmt: skip
    per_unit = {**base, "status": "未达标", "by_units": True, "failing": ["甲局", "乙局"]}
    assert target_verdict(per_unit) == "总体97.38%（要求不低于95%），2个单位未达标：甲局、乙局"
    every = {**base, "status": "达标", "by_units": True, "failing": []}
    assert target_verdict(every) == "总体97.38%（要求不低于95%），有数据的单位均达标"
    overall = {**base, "status": "达标", "by_units": False, "failing": ["甲局"]}
    assert target_verdict(overall) == "总体97.38%（要求不低于95%），总体达标；低于要求的单位：甲局"
    assert judged_by_units({"scope": "per_bureau"}) and not judged_by_units({"scope": "overall"})


def test_a_stage_without_reports_says_so_in_words():
    f = frames([r[:3] + (None,) for r in ROWS])
    result = summary_result(compile_results(f, today=TODAY), f.plan, heading="第一周", today=TODAY)
    body = "\n".join(texts(summary_docx(result, f.plan, "final")))
    assert "本阶段尚无审核通过的报送数据。" in body
    assert "本阶段尚未收到任何报告" in body
    said = "获证率：要求不低于90%，尚无数据，无法评价；无数据（未报）单位：甲局、乙局、丙局、丁局。"
    assert said in body


def test_a_plan_brings_its_own_wording(tmp_path):
    own = tmp_path / "documents"
    own.mkdir()
    (own / "bulletin.txt").write_text("自定标题\n# 一、情况\n已报{{ reports.reported }}份。\n")
    f = frames()
    result = summary_result(compile_results(f, today=TODAY), f.plan, heading="全程", today=TODAY)
    body = texts(summary_docx(result, f.plan, "bulletin", templates_dir=tmp_path))
    assert body[2:5] == ["自定标题", "各单位：", "一、情况"]
    assert "已报5份。" in body


def test_libreoffice_lays_the_bulletin_out_with_its_names_and_charts(libreoffice, tmp_path):
    from tests.documents.test_docx_layout import to_pages

    out = write_outputs(frames(), tmp_path / "out", today=TODAY)
    pages = to_pages(libreoffice, out.summary.read_bytes(), tmp_path)
    text = "\n".join("".join(page) for page in pages)
    assert "关于测试专项行动集中整治工作情况的小结" in text
    assert "丙局：未报2期。" in text  # CJK text, not boxes (pdftotext reads the glyphs back)
    assert "测试办公室" in pages[-1][-1] or "印发" in "".join(pages[-1])  # 版记 on the last page
    assert 2 <= len(pages) <= 8  # three charts and two tables among the text


def test_a_long_list_of_laggards_is_grouped_by_situation_naming_every_unit():
    def behind(n: int) -> list[dict[str, str]]:
        return [{"name": f"第{i}县局", "reasons": f"迟报{i % 3 + 1}次"} for i in range(n)]

    listed = laggards_table(behind(LISTED))
    assert listed[0] == ["单位", "情况"] and len(listed) == LISTED + 1
    assert listed[1] == ["第0县局", "迟报1次"]
    grouped = laggards_table(behind(3000))
    assert grouped[0] == ["情况", "单位数", "单位"]
    assert [row[:2] for row in grouped[1:]] == [
        ["迟报1次", "1000"], ["迟报2次", "1000"], ["迟报3次", "1000"]
    ]  # fmt: skip
    named = [name for row in grouped[1:] for name in row[2].split("、")]
    assert sorted(named) == sorted(f"第{i}县局" for i in range(3000))
    assert grouped[1][2].startswith("第0县局、第3县局、")  # registry order within a group
    f = frames()
    result = summary_result(compile_results(f, today=TODAY), f.plan, heading="全程", today=TODAY)
    result["laggards"] = behind(3000)
    doc = Document(_buffer(summary_docx(result, f.plan, "bulletin")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "情况")
    assert len(table.rows) == 4 and table.rows[3].cells[1].text == "1000"
