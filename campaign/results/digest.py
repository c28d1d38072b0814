"""The weekly digest (每期报送情况): after each period of a periodic duty, who reported on
time, late or not at all (registry order, the missing included), the period's figures and
the cumulative ones; one short mail to the office with the 汇总表 attached.

A routed duty (campaign.results.levels) has a digest per level: the office's lists the
top-level reports (the relay units' own and the direct reporters'), and each relay unit's
completeness with its detail units; each relay unit (city) gets its own digest of its
detail units (counties), once their due date has passed.

`period_digest` is a pure function of the loaded frames; `queue_digests` (each tick)
queues the digest of each periodic duty's latest period past its due date, keyed
digest:{duty}:{period} in the outbox for the office's unit and for each relay unit, so a
re-run, a catch-up or two ticks queue it once (a campaign launched late gets the latest
period's digest, not every past one).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from campaign.documents.xlsx_table import CONTENT_TYPE as XLSX_TYPE
from campaign.mail.notices import queue_notice
from campaign.mail.outbox import Attachment, find_message
from campaign.plan.schema import Plan
from campaign.results.compile import compile_results, in_window
from campaign.results.completeness import request_states
from campaign.results.figures import ACCEPTED, answered_requests, form_figures, main_form
from campaign.results.levels import by_level, top_level, under
from campaign.results.load import Frames, frames_once
from campaign.results.summary import summary_result, totals_of
from campaign.results.workbook import write_workbook
from models.bureau import Bureau
from models.campaign import Campaign

NOTICE = "digest"
PERIODIC = "progress"


@dataclass
class Digest:
    duty: str
    duty_name: str
    period: str
    period_label: str
    due: date
    on_time: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # 未报 (returned ones included)
    period_totals: list[dict[str, Any]] = field(default_factory=list)
    cumulative_totals: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    relay: str | None = None  # a relay unit's digest of its detail units: its name
    levels: list[dict[str, Any]] = field(default_factory=list)  # per relay unit, its own
    # report's state and its detail units' (name, own, units, on_time, late, missing)
    # the cumulative figures as compiled (campaign.results.compile), for the 汇总表
    cumulative: Any = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{NOTICE}:{self.duty}:{self.period}"


def period_digest(frames: Frames, duty: str, period: str, today: date) -> Digest:
    """The office's digest: the top-level reports, and per relay unit its detail units'."""
    everything, frames = frames, top_level(frames)
    digest = _digest(frames, duty, period, today)
    if everything is not frames:
        digest.levels = _levels(everything, duty, period, today)
    return digest


def relay_digest(frames: Frames, duty: str, period: str, today: date, relay: str) -> Digest:
    """A relay unit's digest of its detail units: their reports as if to the office."""
    below = under(frames, relay)
    digest = _digest(below, duty, period, today)
    names = dict(zip(frames.units["code"], frames.units["name"], strict=True))
    digest.relay = names.get(relay, relay)
    return digest


def _levels(frames: Frames, duty: str, period: str, today: date) -> list[dict[str, Any]]:
    requests = frames.requests[
        (frames.requests["duty_key"] == duty) & (frames.requests["period_key"] == period)
    ]
    joined = answered_requests(requests, frames.answers)
    states = request_states(joined, today)
    relays = by_level(frames.plan, frames.units, joined, states, frames.values).relays
    return [
        {k: r[k] for k in ("name", "own_text", "units", "on_time", "late", "missing")}
        for r in relays.to_dict("records")
    ]


def _digest(frames: Frames, duty: str, period: str, today: date) -> Digest:
    requests = frames.requests[
        (frames.requests["duty_key"] == duty) & (frames.requests["period_key"] == period)
    ]
    first = requests.iloc[0]
    states = request_states(answered_requests(requests, frames.answers), today)
    digest = Digest(
        duty=duty,
        duty_name=frames.plan.duty(duty).name,
        period=period,
        period_label=str(first["period_label"]),
        due=first["due_date"],
    )
    by_unit = states.set_index("unit")
    for code, name in zip(frames.units["code"], frames.units["name"], strict=True):
        if code not in by_unit.index:
            continue  # not asked for this period (joined later)
        row = by_unit.loc[code]
        if bool(row["on_time"]):
            digest.on_time.append(name)
        elif bool(row["late"]):
            digest.late.append(name)
        elif bool(row["owed"]):
            digest.missing.append(name)
    end = first["period_end"]  # the period: the requests whose period ends that day
    digest.cumulative = compile_results(frames, stage=("", "累计", None, end), today=today)
    cumulative = summary_result(digest.cumulative, frames.plan, heading="累计", today=today)
    digest.period_totals = _period_totals(frames, end)
    digest.cumulative_totals = cumulative["totals"]
    digest.notes = cumulative["notes"]
    return digest


def _period_totals(frames: Frames, end: date) -> list[dict[str, Any]]:
    """The totals of the main form over the requests of periods ending on `end`: what a
    summary compiled for that one day states as its totals, the main form's figures only."""
    plan = frames.plan
    form = main_form(plan)
    if form is None or not any(d.form == form.key for d in plan.duties):
        return []
    joined = answered_requests(in_window(frames.requests, end, end), frames.answers)
    return totals_of(form_figures(plan, form, frames.units, joined, frames.values, ACCEPTED))


def queue_digests(
    *,
    session: Session,
    campaign: Campaign,
    plan: Plan,
    today: date,
    frames: Callable[[], Frames] | None = None,
) -> list[str]:
    """Queue the digest of each periodic duty's latest past period to the office, and of
    each relay unit's latest past period to that unit, once (`frames`: the tick's frames,
    loaded when first needed)."""
    assert campaign.id is not None
    root = session.get(Bureau, plan.root_bureau) if plan.root_bureau else None
    if root is None:
        return []  # the office's own unit is not in the registry: nothing to key it on
    frames = frames or frames_once(session=session, campaign_id=campaign.id)

    queued = []
    for duty, period, relay in _candidates(session, campaign.id, plan, today):
        unit = root if relay is None else session.get(Bureau, relay)
        key = f"{NOTICE}:{duty}:{period}"
        if unit is None or find_message(
            session=session, campaign_id=campaign.id, key=key, bureau_code=unit.code
        ):
            continue
        if relay is None:
            digest = period_digest(frames(), duty, period, today)
        else:
            digest = relay_digest(frames(), duty, period, today, relay)
        queue_notice(
            session=session,
            campaign=campaign,
            plan=plan,
            bureau=unit,
            notice=NOTICE,
            key=digest.key,
            to=[plan.office.email] if relay is None else None,  # a relay unit: its address
            context={"digest": digest, "as_of": today},
            attachments=[_workbook(digest)],
        )
        queued.append(digest.key if relay is None else f"{digest.key}@{relay}")
    return queued


def _candidates(
    session: Session, campaign_id: int, plan: Plan, today: date
) -> list[tuple[str, str, str | None]]:
    """The latest past period of each periodic duty for the office (relay None: its
    top-level requests past due) and for each relay unit (its detail units' requests past
    due), read without loading every answer."""
    from sqlmodel import col, select

    from models.request import ReportRequest

    periodic = [d.key for d in plan.duties if d.kind == PERIODIC]
    if not periodic:
        return []
    rows = session.execute(
        select(
            col(ReportRequest.duty_key),
            col(ReportRequest.period_key),
            col(ReportRequest.due_date),
            col(ReportRequest.relay_to),
        )
        .where(
            col(ReportRequest.campaign_id) == campaign_id,
            col(ReportRequest.duty_key).in_(periodic),
            col(ReportRequest.due_date) < today,
        )
        .distinct()
    ).all()
    latest: dict[tuple[str, str], tuple[date, str]] = {}
    for duty, period, due, relay in rows:
        key = (duty, relay or "")
        if key not in latest or (due, period) > latest[key]:
            latest[key] = (due, period)
    return [(duty, period, relay or None) for (duty, relay), (_, period) in sorted(latest.items())]


def _workbook(digest: Digest) -> Attachment:
    """The cumulative 汇总表 up to the period's end (as the digest compiled it), as the
    digest's attachment."""
    name = f"汇总表（截至{digest.period_label}）.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(digest.cumulative, Path(folder) / "digest.xlsx")
        return Attachment(name, path.read_bytes(), XLSX_TYPE)
