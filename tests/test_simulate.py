"""`campaign simulate`: any plan over generated bureaus, reproducible by seed."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from campaign import db as dbmod
from campaign.demo.account import outcome_table
from campaign.demo.bureaus import Rates
from campaign.demo.registry import generate_registry
from campaign.demo.run import DemoResult, simulate
from campaign.plan import load_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HUBEI = EXAMPLES / "hubei-2007.yaml"
EBIKE = EXAMPLES / "ebike-2026.yaml"


def run(plan: Path, units: int, seed: int, data_dir: Path, **rates: float) -> DemoResult:
    try:
        return simulate(
            plan_path=plan,
            data_dir=data_dir,
            units=units,
            seed=seed,
            rates=Rates(**rates),
            prefect=False,
            echo=lambda _line: None,
        )
    finally:
        dbmod.reset()


def rows(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def test_the_registry_is_generated_level_by_level_and_by_seed() -> None:
    ebike = load_plan(EBIKE)  # county reporters: counties under cities under the root
    registry = rows(generate_registry(ebike, 25, seed=1))
    levels = Counter(r["level"] for r in registry)
    assert levels == {"province": 1, "city": 3, "county": 25}
    by_code = {r["code"]: r for r in registry}
    for r in registry:
        if r["level"] == "county":
            assert by_code[r["parent_code"]]["level"] == "city"
            assert r["code"][:4] == r["parent_code"][:4]
        assert re.fullmatch(r"\d{6}", r["code"]) and r["email"].endswith("@sjj.example.org")
    assert len({r["name"] for r in registry}) == len(registry)
    assert all(r["name"].endswith("市场监督管理局") for r in registry)
    assert generate_registry(ebike, 25, seed=1) == generate_registry(ebike, 25, seed=1)
    assert generate_registry(ebike, 25, seed=2) != generate_registry(ebike, 25, seed=1)
    hubei = rows(generate_registry(load_plan(HUBEI), 120, seed=1))  # city reporters only
    assert Counter(r["level"] for r in hubei) == {"province": 1, "city": 120}
    assert hubei[0]["code"] == "420000" and hubei[-1]["code"] == "4212000"


@pytest.mark.timeout(900)  # two whole campaigns, compared
def test_the_same_seed_tells_the_same_story(tmp_path: Path) -> None:
    first = run(HUBEI, 4, 7, tmp_path / "a")
    second = run(HUBEI, 4, 7, tmp_path / "b")
    assert first.status == second.status == "completed"
    assert outcome_table(first) == outcome_table(second)
    assert first.outcomes == second.outcomes and first.targets == second.targets


def test_the_ebike_plan_with_county_reporters_simulates(tmp_path: Path) -> None:
    result = run(EBIKE, 12, 3, tmp_path / "ebike", late=0.2, invalid=0.2, returned=0.2)
    assert result.status == "completed" and result.units == 12 + 2  # 2 cities
    registry = rows(generate_registry(load_plan(EBIKE), 12, seed=3))
    counties = {r["code"] for r in registry if r["level"] == "county"}
    assert {o[0] for o in result.outcomes if o[2] == "monthly-report"} == counties
    for outcome in ("on time", "late", "invalid", "returned", "xlsx", "acknowledged"):
        assert result.answers[outcome] > 0, outcome


@pytest.mark.timeout(900)  # 60 units through the whole campaign: about 1,200 reports
def test_rates_are_roughly_respected_on_60_units(tmp_path: Path) -> None:
    rates = {"late": 0.2, "missing": 0.05, "invalid": 0.1, "returned": 0.1}
    result = run(HUBEI, 60, 11, tmp_path / "n60", **rates)
    assert result.status == "completed"
    reports = [o for o in result.outcomes if o[1] != "acknowledgement"]
    asked = len({o[:4] for o in reports})
    per_request = Counter(o[4] for o in reports)
    answered = asked - per_request["missing"]

    def near(share: float, rate: float, n: int) -> bool:
        """Within four standard deviations of a binomial share of n draws."""
        return abs(share - rate) <= 4 * math.sqrt(rate * (1 - rate) / n)

    assert near(per_request["missing"] / asked, rates["missing"], asked)
    assert near(per_request["invalid"] / answered, rates["invalid"], answered)
    assert near(per_request["returned"] / answered, rates["returned"], answered)
    first = per_request["late"] + per_request["on time"]
    assert near(per_request["late"] / first, rates["late"], first)


def test_bad_options_are_refused_in_chinese(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from campaign.cli import app

    runner = CliRunner()
    cases = [
        (["--bureaus", "5", "--late", "1.5"], "--late 须为0至1之间的比例"),
        (["--bureaus", "0"], "--bureaus 须为1至100000之间的单位数"),
        (["--bureaus", str(tmp_path / "none.csv")], "无法读取单位名录文件"),
    ]
    for options, message in cases:
        args = ["simulate", str(HUBEI), "--seed", "1", "--no-prefect", *options]
        result = runner.invoke(app, [*args, "--data-dir", str(tmp_path / "d")])
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output
