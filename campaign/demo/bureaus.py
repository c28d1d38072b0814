"""Simulated bureaus for the demo: when each answers, and figures that pass the checks.

Deterministic: a bureau's behaviour and figures follow from its code, so two runs of the
demo tell the same story. Answers go through the same functions as the web form.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from models.request import ReportRequest, RequestKind

Habit = Literal["prompt", "late", "silent"]
IMPLEMENTATION_START = date(2007, 8, 20)


def _number(code: str, salt: str, low: int, high: int) -> int:
    digest = hashlib.sha256(f"{code}:{salt}".encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


@dataclass(frozen=True)
class SimulatedBureau:
    code: str
    index: int  # position among the reporting bureaus, by code

    @property
    def habit(self) -> Habit:
        """Most answer within a day or two; three are habitually late; the last never
        sends its weekly report (the one the province will have to 通报)."""
        if self.index == 16:
            return "silent"
        return "late" if self.index in (5, 9, 13) else "prompt"

    def answers_at(self, request: ReportRequest, timezone: str) -> datetime | None:
        """When this bureau sends its answer to request (None: it does not)."""
        assert request.due_date is not None
        opened = request.period_start or request.due_date
        if request.kind == RequestKind.acknowledgement:
            day = max(request.due_date - timedelta(days=1), opened)
            if self.habit == "late":
                day = request.due_date + timedelta(days=2)
        elif self.habit == "silent" and request.kind == "request":
            return None
        elif self.habit == "prompt":
            day = request.due_date - timedelta(days=_number(self.code, request.period_key, 0, 1))
        else:
            day = request.due_date + timedelta(days=2)
        hour = _number(self.code, f"h{request.period_key}", 9, 17)
        return datetime.combine(day, time(hour), tzinfo=ZoneInfo(timezone))

    def figures(self, form_key: str, request: ReportRequest) -> dict[str, str]:
        week = max(
            ((request.period_start or IMPLEMENTATION_START) - IMPLEMENTATION_START).days // 7, 0
        )
        food = _number(self.code, "food", 80, 260)
        licensed = food - max(_number(self.code, "unlicensed", 2, 9) - week, 0)
        sampled = _number(self.code, "sampled", 10, 30) + 14 * (week + 1)
        pass_rate = 0.86 if self.index in (3, 11) else 0.94
        staff = _number(self.code, "staff", 150, 400)
        if form_key == "progress":
            return {
                "food_enterprises": str(food),
                "licensed_enterprises": str(licensed),
                "standard_registered": str(min(food, int(food * (0.9 + 0.008 * week)))),
                "archived_enterprises": str(min(food, int(food * (0.86 + 0.015 * week)))),
                "recall_committed": str(min(food, int(food * (0.9 + 0.01 * week)))),
                "self_testing": str(min(licensed, int(licensed * (0.92 + 0.01 * week)))),
                "sampled_batches": str(sampled),
                "qualified_batches": str(int(sampled * pass_rate)),
                "inspections": str(_number(self.code, f"insp{week}", 20, 60)),
                "cases_filed": str(week // 2 + _number(self.code, "cases", 0, 3)),
                "dens_destroyed": str(week // 4),
                "value_involved": f"{week * 1.5 + _number(self.code, 'value', 0, 9):.1f}",
                "workshop_staff": str(staff),
                "workshop_staff_trained": str(min(staff, int(staff * 0.08 * (week + 1)))),
            }
        if form_key == "stage-summary":
            return {
                "inspections": str(_number(self.code, f"stage{request.period_key}", 80, 240)),
                "cases_filed": str(_number(self.code, f"scases{request.period_key}", 1, 12)),
                "typical_cases": "查处无证生产食品案件一起，已移送公安机关。",
            }
        if form_key == "final-summary":
            consumer = _number(self.code, "consumer", 30, 90)
            consumer_sampled = _number(self.code, "csampled", 20, 60)
            return {
                "food_enterprises": str(food),
                "licensed_enterprises": str(food),
                "sampled_batches": str(sampled),
                "qualified_batches": str(int(sampled * pass_rate)),
                "consumer_enterprises": str(consumer),
                "consumer_archived": str(consumer),
                "consumer_sampled": str(consumer_sampled),
                "consumer_qualified": str(int(consumer_sampled * 0.93)),
            }
        return {}

    def narrative(self, form_key: str, name: str) -> str:
        if form_key == "progress":
            return f"{name}本周按照实施方案要求，开展集中检查和专项监督抽查，各项工作有序推进。"
        if form_key == "stage-summary":
            return f"{name}本阶段集中行动已按要求完成，现将工作小结报告如下：组织有力，检查到位。"
        return f"{name}专项整治工作总结：经过四个月的集中整治，各项目标任务基本完成。"
