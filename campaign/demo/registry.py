"""A generated bureau registry for a simulated campaign: level by level, reproducible by seed.

province (the plan's root bureau) → cities → counties, as a bureau CSV (the same file a
coordinator imports, through the same import). Counties are generated only when one of the
plan's duties or its directives goes to counties; `units` is then the number of counties
(about ten per city), else the number of cities. Codes follow the administrative codes
(PP0000 province, PPCC00 city, PPCCXX county), widened when a level has more than 99 units.
Names are made of common place-name characters, distinct within the registry.
"""

from __future__ import annotations

import csv
import io
import math
import random

from campaign.bureau_csv import BUREAU_COLUMNS
from campaign.plan.schema import Plan

COUNTIES_PER_CITY = 10
DEFAULT_ROOT = "990000"
FIRST = "安宝昌长崇丹德东恩丰福阜广海汉和河衡华淮黄会吉嘉建江金荆景九开康兰乐黎利临灵龙隆"
SECOND = "安北昌城川春丹德都丰峰阜冈谷广海汉和河华化江津靖康口兰乐林陵宁平浦山水台泰田亭"
SECOND += "通西溪祥兴阳宜永源远州庄"


def needs_counties(plan: Plan) -> bool:
    chosen = [plan.directive_to, *(d.reporters for d in plan.duties)]
    return any(c.may_reach("county") for c in chosen)


def _unit_suffix(authority: str) -> str:
    """The kind of bureau, from the issuing authority: 湖北省质量技术监督局 → 质量技术监督局."""
    for marker in ("自治区", "省", "市"):
        if marker in authority:
            rest = authority.split(marker, 1)[1]
            if rest:
                return rest
    return "市场监督管理局"


def _code_width(count: int) -> int:
    return max(2, len(str(count)))


def generate_registry(plan: Plan, units: int, seed: int) -> bytes:
    """The registry as bureau CSV bytes (UTF-8): the root, then each level in code order."""
    if units < 1:
        raise ValueError("units must be at least 1")
    rng = random.Random(f"registry:{seed}")
    root = plan.root_bureau or DEFAULT_ROOT
    prefix = root[:2] if root[:2].isdigit() else "99"
    domain = plan.office.email.rsplit("@", 1)[-1]
    suffix = _unit_suffix(plan.issuing_authority)
    counties = needs_counties(plan)
    cities = math.ceil(units / COUNTIES_PER_CITY) if counties else units
    used: set[str] = set()

    def place() -> str:
        for attempt in range(10_000):  # two characters while they last, then three
            name = rng.choice(FIRST) + rng.choice(SECOND)
            if attempt >= 50:
                name += rng.choice(SECOND)
            if name not in used:
                used.add(name)
                return name
        raise ValueError("too many units to name")

    rows = [[root, plan.issuing_authority, "", "province", plan.office.email, "联络员", ""]]
    city_width = _code_width(cities)
    city_codes = []
    for c in range(1, cities + 1):
        code = f"{prefix}{c:0{city_width}d}00"
        city_codes.append(code)
        rows.append(
            [code, f"{place()}市{suffix}", root, "city", f"q{code}@{domain}", "信息报送员", ""]
        )
    if counties:
        per_city = [units // cities + (1 if i < units % cities else 0) for i in range(cities)]
        county_width = _code_width(max(per_city))
        for city, count in zip(city_codes, per_city, strict=True):
            for k in range(1, count + 1):
                code = f"{city[:-2]}{k:0{county_width}d}"
                kind = "区" if k <= 2 else "县"
                rows.append(
                    [
                        code,
                        f"{place()}{kind}{suffix}",
                        city,
                        "county",
                        f"q{code}@{domain}",
                        "信息报送员",
                        "",
                    ]
                )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BUREAU_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
