"""Charts: non-empty PNGs drawn in a CJK font, without a missing-glyph warning."""

from __future__ import annotations

import warnings
from pathlib import Path

from matplotlib import font_manager

from campaign.results.charts import cjk_font, write_charts
from campaign.results.compile import compile_results
from tests.results.fixture import ROWS, TODAY, frames

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_cjk_font_is_noto_sans_cjk():
    family = cjk_font()
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert "NotoSansCJK" in Path(path).name.replace("-", "")


def test_charts_are_pngs_with_every_glyph(tmp_path):
    compiled = compile_results(frames(), today=TODAY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_charts(compiled, tmp_path)
    missing = [
        str(w.message)
        for w in caught
        if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]
    assert missing == []
    assert [p.name for p in paths] == ["报送率.png", "主要指标趋势.png", "目标完成情况.png"]
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 5000


def test_charts_of_a_stage_without_reports_say_so(tmp_path):
    rows = [(rid, unit, p, None) for rid, unit, p, _ in ROWS]
    compiled = compile_results(frames(rows), today=TODAY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_charts(compiled, tmp_path)
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert all(p.stat().st_size > 3000 for p in paths)
