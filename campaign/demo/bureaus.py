"""Simulated bureaus: what each does with each request, and figures that pass the checks.

Reproducible: every choice is drawn from a generator seeded by (seed, bureau, request), so
it depends neither on the order of the requests nor on the number of ticks. Seeding one
costs ~10 µs, and the ticks ask again for the same draws (when each open request is
answered, a bureau's base figures for every answer): each bureau keeps what it drew. Figures are
made for any report form: bounds, part ≤ whole and cumulative figures (never lower than an
earlier period's) hold, so a valid answer is valid; an invalid one breaks one on purpose.
"""

from __future__ import annotations

import html
import io
import math
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from campaign.plan.schema import NARRATIVE_KEY, FormField, ReportForm, Target
from models.reply import AttachmentIn
from models.request import ReportRequest

EARLIEST_ANSWER = timedelta(days=2)  # no answer is sent sooner before its due date
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
    # what was drawn, by what it was drawn for (the draws of one key are always the same)
    _drawn: dict[tuple[object, ...], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, self.code, *parts))))

    def conduct(self, request: ReportRequest) -> Conduct:
        key = ("conduct", request.kind, request.duty_key, request.period_key)
        known = self._drawn.get(key)
        if known is None:
            rng = self._rng(request.kind, request.duty_key, request.period_key)
            draws = [rng.random() for _ in range(5)]
            known = self._drawn[key] = Conduct(
                missing=draws[0] < self.rates.missing,
                late=draws[1] < self.rates.late,
                invalid=draws[2] < self.rates.invalid and request.kind != "acknowledgement",
                returned=draws[3] < self.rates.returned and request.kind != "acknowledgement",
                xlsx=draws[4] < XLSX_SHARE,
            )
        return known

    def answers_at(self, request: ReportRequest, timezone: str) -> datetime | None:
        """When this bureau sends its answer to request (None: it does not). A returned
        answer is sent again the day before its new due date."""
        assert request.due_date is not None
        returned = request.status == "returned"
        key: tuple[object, ...] = (request.kind, request.duty_key, request.period_key)
        key += (returned, request.due_date, request.period_start, timezone)
        if key not in self._drawn:
            self._drawn[key] = self._answers_at(request, returned, timezone)
        return self._drawn[key]

    def _answers_at(self, request: ReportRequest, returned: bool, timezone: str) -> datetime | None:
        assert request.due_date is not None
        conduct = self.conduct(request)
        rng = self._rng("when", request.kind, request.duty_key, request.period_key)
        opened = request.period_start or request.due_date
        if returned:
            day = request.due_date - timedelta(days=1)
        elif conduct.missing:
            return None
        elif conduct.late:
            day = request.due_date + timedelta(days=rng.randint(1, 3))
        else:  # within EARLIEST_ANSWER of the due date
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
        key = ("other", f.key, f.type, tuple(f.choices or ()))
        if key not in self._drawn:
            rng = self._rng("other", f.key)
            if f.type == "yes_no":
                self._drawn[key] = "是" if rng.random() < 0.85 else "否"
            elif f.type == "date":
                self._drawn[key] = rng.randint(1, 6)
            elif f.type == "choice":
                self._drawn[key] = rng.choice(f.choices)
            else:
                self._drawn[key] = "无"
        drawn = self._drawn[key]
        if f.type == "date":
            return (due - timedelta(days=drawn)).isoformat()
        return drawn

    def _share(
        self, part: str, whole: str, done: float, caps: dict[tuple[str, str], float]
    ) -> float:
        capped = (part, whole) in caps
        key = ("share", part, whole, capped)
        if key not in self._drawn:
            rng = self._rng("share", part, whole)
            if capped:
                self._drawn[key] = (rng.uniform(0.2, 0.95), 0.0)
            else:
                first = rng.uniform(0.85, 0.97)
                last = 1.0 if rng.random() < 0.8 else rng.uniform(first, 1.0)
                self._drawn[key] = (first, last)
        first, last = self._drawn[key]
        if capped:
            return float(first * caps[(part, whole)])
        return float(first + (last - first) * done)

    def _base(self, f: FormField, weeks: int, done: float, period_key: str, whole: bool) -> float:
        """A whole grows like a cumulative figure, so a cumulative part of it can too."""
        low = float(f.min) if f.min is not None else 0.0
        high = float(f.max) if f.max is not None else None
        if f.type == "percent":
            top = min(high or 100.0, 100.0)
            first, last = self._drawn_base(f.key, "percent", low, top)
            value = first + (last - first) * done
        elif f.accumulation == "cumulative" or whole:
            start, step = self._drawn_base(f.key, "growing", low, high)
            value = low + start + step * weeks
        else:
            value = low + self._rng("period", f.key, period_key).randint(5, 300)
        return min(value, high) if high is not None else value

    def _drawn_base(
        self, key: str, kind: str, low: float, top: float | None
    ) -> tuple[float, float]:
        """A field's base draws: a percent's first and last value, a growing figure's
        start and weekly step."""
        memo = ("base", key, kind, low, top)
        drawn = self._drawn.get(memo)
        if drawn is None:
            rng = self._rng("base", key)
            if kind == "percent":
                assert top is not None
                first = rng.uniform(min(max(low, 85.0), top), top)
                drawn = (first, top if rng.random() < 0.8 else rng.uniform(first, top))
            else:
                drawn = (rng.randint(20, 300), rng.randint(1, 15))
            self._drawn[memo] = drawn
        return drawn

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
    """The bureau's copy of its .xlsx table with the values typed into the input column
    (D, of the rows whose key in column E it answers), as text cells keeping their style.

    Written into the first sheet's XML, the rest of the workbook as it came: what Excel
    saves when a bureau types them in, read back the same by the upload's parser, without
    openpyxl's ~15 ms to load and save a workbook."""
    with zipfile.ZipFile(io.BytesIO(blank)) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    answers = {**values, NARRATIVE_KEY: narrative}

    def row(match: re.Match[str]) -> str:
        number, cells = match["number"], match["cells"]
        key = re.search(rf'<c r="E{number}"[^>]*><is><t[^>]*>([^<]*)</t></is></c>', cells)
        text = answers.get(html.unescape(key[1])) if key and int(number) >= 7 else None
        if text is None:
            return match[0]
        cell = re.compile(rf'<c r="D{number}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)')
        found = cell.search(cells)
        if found is None:
            raise ValueError(f"row {number} of the table has no input cell")
        style = re.search(r' s="\d+"', found["attrs"])
        typed = _cell(f"D{number}", text, style[0] if style else "")
        return match[0].replace(found[0], typed, 1)

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == FIRST_SHEET:
                data = _ROW.sub(row, data.decode("utf-8")).encode("utf-8")
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


FIRST_SHEET = "xl/worksheets/sheet1.xml"  # the generator's first sheet, the table
_ROW = re.compile(r'<row r="(?P<number>\d+)"[^>]*>(?P<cells>.*?)</row>')


def _cell(ref: str, text: str, style: str = "") -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
