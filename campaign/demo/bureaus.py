"""Simulated bureaus: what each does with each request, and figures that pass the checks.

Reproducible: every choice is drawn from a generator seeded by (seed, bureau, request), so
it depends neither on the order of the requests nor on the number of ticks. Figures are
made for any report form: bounds, part ≤ whole and cumulative figures (never lower than an
earlier period's) hold, so a valid answer is valid; an invalid one breaks one on purpose.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaign.plan.schema import FormField, ReportForm, Target
from models.reply import AttachmentIn
from models.request import ReportRequest

XLSX_SHARE = 0.03  # of the answers to a form, sent as the filled .xlsx table (~0.15 s each)


@dataclass(frozen=True)
class Rates:
    late: float = 0.15
    missing: float = 0.03
    invalid: float = 0.05
    returned: float = 0.05


@dataclass(frozen=True)
class Conduct:
    """What one bureau does with one request."""

    missing: bool
    late: bool
    invalid: bool
    returned: bool
    xlsx: bool


@dataclass(frozen=True)
class SimulatedBureau:
    code: str
    name: str
    seed: int
    rates: Rates
    email: str = ""

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, self.code, *parts))))

    def conduct(self, request: ReportRequest) -> Conduct:
        rng = self._rng(request.kind, request.duty_key, request.period_key)
        draws = [rng.random() for _ in range(5)]
        return Conduct(
            missing=draws[0] < self.rates.missing,
            late=draws[1] < self.rates.late,
            invalid=draws[2] < self.rates.invalid and request.kind != "acknowledgement",
            returned=draws[3] < self.rates.returned and request.kind != "acknowledgement",
            xlsx=draws[4] < XLSX_SHARE,
        )

    def answers_at(self, request: ReportRequest, timezone: str) -> datetime | None:
        """When this bureau sends its answer to request (None: it does not). A returned
        answer is sent again the day before its new due date."""
        assert request.due_date is not None
        conduct = self.conduct(request)
        rng = self._rng("when", request.kind, request.duty_key, request.period_key)
        opened = request.period_start or request.due_date
        if request.status == "returned":
            day = request.due_date - timedelta(days=1)
        elif conduct.missing:
            return None
        elif conduct.late:
            day = request.due_date + timedelta(days=rng.randint(1, 3))
        else:
            day = max(request.due_date - timedelta(days=rng.randint(0, 2)), opened)
        return datetime.combine(day, time(rng.randint(9, 17)), tzinfo=ZoneInfo(timezone))

    def figures(
        self,
        form: ReportForm,
        request: ReportRequest,
        start: date,
        end: date,
        targets: Sequence[Target] = (),
    ) -> dict[str, str]:
        """Values for every field: bounds kept, parts within their wholes (closing in on
        them as the campaign goes on: most bureaus reach 100%), cumulative figures growing
        with the weeks since the campaign's start."""
        due = request.due_date or start
        weeks = max((due - start).days // 7, 0)
        done = min(weeks / max((end - start).days // 7 * 0.6, 1), 1.0)
        caps = {  # a target on a ratio: "at most x%" keeps the part small
            (t.metric.ratio.numerator, t.metric.ratio.denominator): float(t.threshold) / 100
            for t in targets
            if t.form == form.key and t.metric.ratio is not None and t.comparator in ("<=", "<")
        }
        fields = {f.key for f in form.fields}
        rules = {(r.part, r.whole) for r in form.part_of_whole}
        rules |= {  # a target's ratio reads as a part of a whole too
            (t.metric.ratio.numerator, t.metric.ratio.denominator)
            for t in targets
            if t.form == form.key and t.metric.ratio is not None
        }
        rules = {(p, w) for p, w in rules if p in fields and w in fields and p != w}
        parts = {p for p, _ in rules}
        wholes = {w for _, w in rules}
        numbers: dict[str, float] = {}
        for f in form.fields:
            if f.numeric and f.key not in parts:
                numbers[f.key] = self._base(f, weeks, done, request.period_key, f.key in wholes)
        for _ in range(len(parts)):  # parts of parts settle in as many passes
            for part in sorted(parts):
                shares = [
                    math.floor(numbers[whole] * self._share(p, whole, done, caps))
                    for p, whole in sorted(rules)
                    if p == part and whole in numbers
                ]
                if shares:
                    numbers[part] = float(min(shares))
        values = {}
        for f in form.fields:
            if not f.numeric:
                values[f.key] = self._other(f, request.due_date or start)
            else:
                values[f.key] = _shown(f, numbers.get(f.key, 0.0))
        return values

    def _other(self, f: FormField, due: date) -> str:
        """A text, yes/no, date or choice answer: mostly 是, a date within the period."""
        rng = self._rng("other", f.key)
        if f.type == "yes_no":
            return "是" if rng.random() < 0.85 else "否"
        if f.type == "date":
            return (due - timedelta(days=rng.randint(1, 6))).isoformat()
        if f.type == "choice":
            return rng.choice(f.choices)
        return "无"

    def _share(
        self, part: str, whole: str, done: float, caps: dict[tuple[str, str], float]
    ) -> float:
        rng = self._rng("share", part, whole)
        if (part, whole) in caps:
            return rng.uniform(0.2, 0.95) * caps[(part, whole)]
        first = rng.uniform(0.85, 0.97)
        last = 1.0 if rng.random() < 0.8 else rng.uniform(first, 1.0)
        return first + (last - first) * done

    def _base(self, f: FormField, weeks: int, done: float, period_key: str, whole: bool) -> float:
        """A whole grows like a cumulative figure, so a cumulative part of it can too."""
        rng = self._rng("base", f.key)
        low = float(f.min) if f.min is not None else 0.0
        high = float(f.max) if f.max is not None else None
        if f.type == "percent":
            top = min(high or 100.0, 100.0)
            first = rng.uniform(min(max(low, 85.0), top), top)
            last = top if rng.random() < 0.8 else rng.uniform(first, top)
            value = first + (last - first) * done
        elif f.accumulation == "cumulative" or whole:
            value = low + rng.randint(20, 300) + rng.randint(1, 15) * weeks
        else:
            value = low + self._rng("period", f.key, period_key).randint(5, 300)
        return min(value, high) if high is not None else value

    def invalid_figures(self, form: ReportForm, values: dict[str, str]) -> dict[str, str] | None:
        """The same answer with one mistake the checks refuse (None: the form has none to
        make): a part above its whole, else a number that is not one."""
        broken = dict(values)
        for rule in form.part_of_whole:
            if rule.part in broken and rule.whole in broken:
                broken[rule.part] = str(int(float(broken[rule.whole])) + 1)
                return broken
        for f in form.fields:
            if f.numeric:
                broken[f.key] = "约" + broken[f.key]
                return broken
        return None

    def files(self, form: ReportForm) -> list[AttachmentIn]:
        """The file the form requires (佐证材料), when it requires one: a small PDF."""
        if not form.attachment.required:
            return []
        name = f"{self.name}{form.attachment.label}.pdf"
        body = f"%PDF-1.4\n% {self.name} {form.attachment.label}\n%%EOF\n".encode()
        return [AttachmentIn(filename=name, content_type="application/pdf", data=body)]

    def narrative(self, form: ReportForm, request: ReportRequest) -> str:
        return (
            f"{self.name}{request.period_label}{form.title}：按照实施方案要求，"
            "组织开展各项工作，数据已经核实。"
        )


def _shown(f: FormField, value: float) -> str:
    if f.type == "integer":
        return str(int(value))
    return f"{value:.1f}"


def filled_table(blank: bytes, values: dict[str, str], narrative: str) -> bytes:
    """The bureau's copy of its .xlsx table with the values typed into the input column."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(blank))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=7):
        key = row[4].value
        if key == "__narrative__":
            row[3].value = narrative
        elif key in values:
            row[3].value = values[key]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
