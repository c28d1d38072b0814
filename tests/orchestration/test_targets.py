"""Targets evaluated over the bureaus' latest figures: a pure function."""

from __future__ import annotations

from campaign.orchestration.targets import evaluate_targets


def _by_key(results):
    return {r.key: r for r in results}


def test_per_bureau_target_names_failing_and_missing_bureaus(hubei_plan):
    reports = {
        "progress": {
            "420100": {"food_enterprises": "200", "licensed_enterprises": "200"},
            "420200": {"food_enterprises": "100", "licensed_enterprises": "90"},
        }
    }
    expected = {"progress": ["420100", "420200", "420300"]}
    result = _by_key(evaluate_targets(hubei_plan, reports, expected))["license-rate"]
    assert result.per_bureau == {"420100": "100.00", "420200": "90.00"}
    assert result.failing == ["420200"]
    assert result.missing == ["420300"]
    assert result.met is False
    assert result.value == "96.67"  # the ratio of the sums, 290 / 300, as the results show it


def test_overall_target_is_a_ratio_of_sums(hubei_plan):
    reports = {
        "progress": {
            "420100": {"sampled_batches": 100, "qualified_batches": 95},
            "420200": {"sampled_batches": "50", "qualified_batches": "40"},
        }
    }
    result = _by_key(evaluate_targets(hubei_plan, reports, {}))["sampling-pass-rate"]
    assert result.value == "90.00"  # 135 / 150
    assert result.met is True


def test_no_figures_means_no_verdict(hubei_plan):
    results = _by_key(evaluate_targets(hubei_plan, {}, {"progress": ["420100"]}))
    assert results["sampling-pass-rate"].met is None
    assert results["license-rate"].met is None
    assert results["license-rate"].missing == ["420100"]


def test_zero_denominator_is_named_and_not_judged(hubei_plan):
    reports = {"progress": {"420100": {"food_enterprises": 0, "licensed_enterprises": 0}}}
    result = _by_key(evaluate_targets(hubei_plan, reports, {"progress": ["420100"]}))
    assert result["license-rate"].zero_denominator == ["420100"]
    assert result["license-rate"].failing == []
    assert result["license-rate"].met is None
