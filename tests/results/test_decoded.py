"""Answers' values decoded by orjson, and by the standard parser what orjson refuses."""

from __future__ import annotations

import json
import math

from campaign.results.load import _decoded


def test_as_the_standard_parser_reads_them():
    text = json.dumps({"f01": "12", "名称": "甲局", "n": 3.5, "big": 2**70, "nan": math.nan})
    decoded = _decoded(text)
    assert decoded["big"] == 2**70 and math.isnan(decoded["nan"])  # orjson refuses both
    assert {k: v for k, v in decoded.items() if k != "nan"} == {
        k: v for k, v in json.loads(text).items() if k != "nan"
    }
    assert _decoded('{"f01": "1"}') == {"f01": "1"}
    assert _decoded(None) == {} and _decoded("null") == {} and _decoded("") == {}
