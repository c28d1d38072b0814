"""Words of one plan that another plan's mail, pages or documents must not carry, and the
example plans with their registries (tests/mail/test_plan_wording.py and
tests/documents/test_summary_wording.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from campaign.plan.schema import Plan
from models.bureau import Bureau, BureauLevel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REGISTRIES = {
    "hubei-2007": "bureaus-hubei.csv",
    "guangdong-2009": "units-guangdong-2009.csv",
    "fujian-2017": "units-fujian-2017.csv",
    "ebike-2026": None,  # no registry: two cities are made up below
}
# Words of one plan (its issuer, its kind of campaign, its units, its province).
MARKERS = [
    "各市州局", "市州", "各地方局", "专项整治", "整治", "专项行动", "省局", "市局",
    "质量和安全年", "政务公开", "处室", "直属单位", "电动自行车",
    "湖北", "广东", "福建", "鄂质监", "粤质监", "闽质监",
]  # fmt: skip
NEVER = ["None", "、、", "。。", "{{", "}}"]
PLAN_NAMES = list(REGISTRIES)


def example_plan(name: str) -> Plan:
    """The plan's own model: the wording test needs its words, not its cross-checks."""
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    return Plan.model_validate(yaml.safe_load(text))


def registry(name: str, plan: Plan) -> list[Bureau]:
    file = REGISTRIES[name]
    if file is None:
        rows = [
            {"code": plan.root_bureau, "name": plan.issuing_authority, "parent_code": ""},
            {"code": "990100", "name": "示例市市场监督管理局", "parent_code": plan.root_bureau},
            {"code": "990200", "name": "示例二市市场监督管理局", "parent_code": plan.root_bureau},
        ]
    else:
        with (EXAMPLES / file).open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    return [
        Bureau(
            code=r["code"],
            name=r["name"],
            parent_code=r["parent_code"] or None,
            level=BureauLevel.city if r["parent_code"] else BureauLevel.province,
            email=f"u{i}@units.example.org",
        )
        for i, r in enumerate(rows)
    ]


def own_words(plan: Plan, units: list[Bureau]) -> str:
    return plan.model_dump_json() + "".join(u.name for u in units)


def foreign_words(text: str, own: str) -> list[str]:
    return [w for w in MARKERS if w in text and w not in own] + [w for w in NEVER if w in text]
