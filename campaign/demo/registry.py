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

from campaign.bureau_csv import BUREAU_COLUMNS, COLUMNS
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
    header, rows = _with_units(plan, rows, suffix, domain)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


DIVISIONS = ("办公室", "法规处", "监督处", "稽查处", "计量处", "标准化处")
AFFILIATES = ("行政服务中心", "信息中心", "检验研究院")
DEPARTMENTS = ("发展和改革委员会", "经济和信息化委员会", "农业厅")


def _with_units(
    plan: Plan, bureaus: list[list[str]], suffix: str, domain: str
) -> tuple[tuple[str, ...], list[list[str]]]:
    """The bureau rows, with the other kinds of unit the plan's selectors and recipients
    name (处室 and 直属单位 of the root, governments of each bureau and their departments)
    and its groups (every third bureau below the root); bureaus alone need none of it."""
    clauses = [
        c for s in (plan.directive_to, *(d.reporters for d in plan.duties)) for c in s.any_of
    ]
    kinds = {k for c in clauses for k in c.kind}
    if any(r.to == "government" for d in plan.duties for r in d.recipients):
        kinds.add("government")
    defined = {g.key for g in plan.groups}
    groups = sorted({g for c in clauses for g in c.group} - defined)
    if not kinds and not groups:
        return BUREAU_COLUMNS, bureaus
    root = bureaus[0][0]
    rows = [[*b, "bureau", "", ""] for b in bureaus]
    extra: list[list[str]] = []

    def unit(code: str, name: str, parent: str, kind: str) -> list[str]:
        return [code, name, parent, "", f"q{code}@{domain}", "联络员", "", kind, "", ""]

    if "division" in kinds:
        extra += [unit(f"{root}-c{i}", n, root, "division") for i, n in enumerate(DIVISIONS, 1)]
    if "affiliate" in kinds:
        extra += [unit(f"{root}-z{i}", n, root, "affiliate") for i, n in enumerate(AFFILIATES, 1)]
    if kinds & {"government", "department"}:
        governments: list[list[str]] = []
        for row in rows:
            place = row[1].split(suffix)[0] or row[1]
            parent = f"g{row[2]}" if row[2] else ""
            governments.append(unit(f"g{row[0]}", f"{place}人民政府", parent, "government"))
            row[8] = f"g{row[0]}"
        extra = governments + extra
        if "department" in kinds:
            extra += [
                unit(f"g{root}-d{i}", n, f"g{root}", "department")
                for i, n in enumerate(DEPARTMENTS, 1)
            ]
    for i, row in enumerate(rows[1:]):
        row[9] = ";".join(groups) if i % 3 == 0 else ""
    return COLUMNS, extra + rows
