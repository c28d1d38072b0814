"""A small hand-computed fixture: four units, two weekly periods, three targets.

甲 (001) answers both periods (the second late); 乙 (002) the first accepted, the second
pending; 丙 (003) only a returned answer; 丁 (004) joined after launch and answers the
second period with a zero denominator. Expected figures are in test_compile.py.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from campaign.plan.load import load_plan_text
from campaign.plan.schema import Plan
from campaign.results.load import (
    ANSWER_COLUMNS,
    REQUEST_COLUMNS,
    Frames,
    numeric_fields,
    split_values,
)

PLAN = """
document_number: 测试〔2026〕1号
title: 测试专项行动
issuing_authority: 测试局
office: {name: 测试办公室, contact: 联络员, phone: "010-0000000", email: office@example.org}
document: {recipients: 各单位, issued_on: 2026-01-01, printed_by: 测试办公室}
phases:
  - key: work
    kind: implementation
    name: 集中整治
    start: 2026-01-05
    end: 2026-01-18
    directive: null
    actions:
      - {key: first-week, name: 第一周行动, start: 2026-01-05, end: 2026-01-11}
forms:
  - key: progress
    title: 进展统计表
    fields:
      - {key: inspections, label: 检查企业数, type: integer, unit: 家次, min: 0}
      - {key: licensed, label: 获证企业数, type: integer, unit: 家, accumulation: cumulative}
      - {key: enterprises, label: 企业数, type: integer, unit: 家, min: 0, accumulation: cumulative}
      - {key: pass_rate, label: 抽查合格率, type: percent}
      - {key: typical_cases, label: 典型案例, type: text, required: false}
duties:
  - key: weekly
    name: 动态信息
    kind: progress
    form: progress
    phase: work
    schedule: {type: weekly, weekday: monday}
targets:
  - {key: license-rate, name: 获证率, form: progress, comparator: ">=", threshold: 90, unit: "%",
     metric: {ratio: {numerator: licensed, denominator: enterprises}}, scope: per_bureau}
  - {key: inspected, name: 检查企业, form: progress, comparator: ">=", threshold: 10,
     unit: 家次, metric: {field: inspections}}
  - {key: pass-rate, name: 合格率, form: progress, comparator: ">=", threshold: 95, unit: "%",
     metric: {field: pass_rate}}
"""

UNITS = [("001", "甲局"), ("002", "乙局"), ("003", "丙局"), ("004", "丁局")]
P1 = ("2026-w02", "第1周", date(2026, 1, 5), date(2026, 1, 11), date(2026, 1, 12))
P2 = ("2026-w03", "第2周", date(2026, 1, 12), date(2026, 1, 18), date(2026, 1, 19))
TODAY = date(2026, 1, 25)
# request id, unit, period, (review status, late, values, narrative) or None
ROWS = [
    (
        1,
        "001",
        P1,
        (
            "accepted",
            False,
            {"inspections": "5", "licensed": "8", "enterprises": "10", "pass_rate": "90"},
            "甲局第一周",
        ),
    ),
    (
        2,
        "002",
        P1,
        (
            "accepted",
            False,
            {"inspections": "3", "licensed": "4", "enterprises": "5", "pass_rate": "100"},
            "",
        ),
    ),
    (
        3,
        "003",
        P1,
        (
            "returned",
            False,
            {"inspections": "99", "licensed": "1", "enterprises": "1", "pass_rate": "1"},
            "",
        ),
    ),
    (
        4,
        "001",
        P2,
        (
            "accepted",
            True,
            {
                "inspections": "7",
                "licensed": "10",
                "enterprises": "10",
                "pass_rate": "96",
                "typical_cases": "案例甲",
            },
            "",
        ),
    ),
    (
        5,
        "002",
        P2,
        (
            "pending",
            False,
            {"inspections": "4", "licensed": "5", "enterprises": "5", "pass_rate": "100"},
            "",
        ),
    ),
    (6, "003", P2, None),
    (
        7,
        "004",
        P2,
        (
            "accepted",
            False,
            {"inspections": "2", "licensed": "0", "enterprises": "0", "pass_rate": "80"},
            "",
        ),
    ),
]


def plan() -> Plan:
    return load_plan_text(PLAN)


def frames(rows: list = ROWS) -> Frames:  # type: ignore[type-arg]
    the_plan = plan()
    requests = pd.DataFrame(
        [
            (
                rid,
                "weekly",
                p[0],
                p[1],
                p[3],
                unit,
                "request",
                p[4],
                "accepted" if a else "open",
                bool(a and a[1]),
                None,
            )
            for rid, unit, p, a in rows
        ],
        columns=list(REQUEST_COLUMNS),
    )
    answered = [(rid, a) for rid, _, _, a in rows if a]
    answers = pd.DataFrame(
        [(rid, 1, a[0], a[1], a[3]) for rid, a in answered], columns=list(ANSWER_COLUMNS)
    )
    values, texts = split_values([(rid, a[2]) for rid, a in answered], numeric_fields(the_plan))
    codes = sorted({r[1] for r in rows})
    units = pd.DataFrame(
        [(c, n, None, True) for c, n in UNITS if c in codes],
        columns=["code", "name", "parent_code", "active"],
    )
    units["order"] = range(len(units))
    return Frames(
        1, "测试专项行动", "测试〔2026〕1号", the_plan, units, requests, answers, values, texts
    )
