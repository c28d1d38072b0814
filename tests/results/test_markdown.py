"""Summaries as Markdown (Prefect artifacts): names, literal comparators, changes."""

from __future__ import annotations

from campaign.results.compile import compile_results
from campaign.results.markdown import escape, standing_markdown, summary_markdown
from campaign.results.summary import change_notes, changes_between, summary_result
from tests.results.fixture import TODAY, frames


def result():  # type: ignore[no-untyped-def]
    f = frames()
    return summary_result(compile_results(f, today=TODAY), f.plan, heading="第一周", today=TODAY)


def test_comparators_stay_literal_and_units_are_named():
    text = summary_markdown(result())
    assert "| ≥ 90% |" in text  # the requirement in words, never a quote
    bare = {**result()}
    bare["targets"] = [{**t, "requirement": ""} for t in bare["targets"]]
    assert "\\>= 90%" in summary_markdown(bare)  # comparator and threshold: ">= 90%"
    assert not any(line.startswith(">") for line in text.splitlines())
    assert "丙局" in text and "001" not in text
    assert escape("a|b <x>") == "a\\|b \\<x\\>"


def test_changes_are_listed_with_a_downward_correction_in_words():
    before = result()
    after = {**before, "targets": [dict(t) for t in before["targets"]]}
    license_rate = next(t for t in after["targets"] if t["key"] == "license-rate")
    license_rate["per_unit"] = {
        **license_rate["per_unit"],
        "001": {"value": "50", "status": "未达标", "gap": "-40"},
    }
    changes = changes_between(before, after)
    assert changes == [{"item": "甲局：获证率", "before": "100%", "after": "50%"}]
    (note,) = change_notes(changes, 1)
    assert note == "与第1版相比：甲局：获证率由100%下调为50%。"
    assert "| 甲局：获证率 | 100% | 50% |" in summary_markdown(after, version=2, changes=changes)


def test_the_standing_ranks_the_units():
    text = standing_markdown(result(), today="2026-01-20")
    assert "当前进展（截至2026\\-01\\-20）" in text and "## 排名" in text
