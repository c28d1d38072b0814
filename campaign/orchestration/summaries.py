"""Stage summaries and the final acceptance, compiled by campaign.results and versioned.

`compile_summary` stores the first version when the summary's event falls due;
`refresh_summaries` (every tick) recompiles each summary whose answers or requests have
changed since its latest version and stores a new version when what it says changed: a
late report, a review, a corrected figure. Versions are unique per (campaign, key,
version) and compared by digest, so re-runs and concurrent runs store each change once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from campaign.orchestration.store import load_rows, to_event
from campaign.orchestration.summary_basis import (
    WindowInputs,
    campaign_basis,
    campaign_part,
    joined,
    window_inputs,
    window_part,
)
from campaign.plan.schema import Plan
from campaign.results.compile import compile_results
from campaign.results.load import Frames, frames_once, load_frames
from campaign.results.summary import (
    change_notes,
    changes_between,
    digest,
    stage_of_event,
    summary_result,
)
from campaign.schedule import SUMMARY_KIND, Event
from campaign.tasks.store import TaskInputs, load_task_inputs, task_summary
from models.summary import CampaignSummary


def heading_of(event: Event) -> str:
    """What the summary is called: the stage report's period, or the acceptance's phase."""
    if event.kind == SUMMARY_KIND and event.period_label:
        return event.period_label
    return event.phase


def compiled_result(
    session: Session,
    campaign_id: int,
    frames: Frames,
    plan: Plan,
    event: Event,
    tasks: TaskInputs | None = None,
) -> dict[str, Any]:
    """The summary of `event` over the loaded frames, as of the event's day, with the task
    ledger and the accountability rules (campaign.tasks; `tasks` loaded once for several
    summaries, else here)."""
    compiled = compile_results(frames, stage=stage_of_event(plan, event), today=event.date)
    result = summary_result(compiled, plan, heading=heading_of(event), today=event.date)
    return {
        **result,
        **task_summary(
            session=session, campaign_id=campaign_id, plan=plan, today=event.date, inputs=tasks
        ),
    }


def latest_versions(session: Session, campaign_id: int) -> dict[str, CampaignSummary]:
    """key → the latest version of each summary of the campaign (only those rows are read:
    every tick asks, and each version holds its whole compiled result)."""
    newest = (
        select(col(CampaignSummary.key), func.max(CampaignSummary.version).label("version"))
        .where(col(CampaignSummary.campaign_id) == campaign_id)
        .group_by(col(CampaignSummary.key))
        .subquery()
    )
    rows = session.exec(
        select(CampaignSummary)
        .join(
            newest,
            and_(
                col(CampaignSummary.key) == newest.c.key,
                col(CampaignSummary.version) == newest.c.version,
            ),
        )
        .where(col(CampaignSummary.campaign_id) == campaign_id)
        .order_by(col(CampaignSummary.key))
    ).all()
    return {row.key: row for row in rows}


def versions(session: Session, campaign_id: int, key: str) -> list[CampaignSummary]:
    return list(
        session.exec(
            select(CampaignSummary)
            .where(col(CampaignSummary.campaign_id) == campaign_id, col(CampaignSummary.key) == key)
            .order_by(col(CampaignSummary.version))
        ).all()
    )


def compile_summary(
    *, session: Session, campaign_id: int, plan: Plan, event: Event, as_of: datetime
) -> CampaignSummary:
    """The summary of a due event: its first version, or its latest when already stored."""
    frames = load_frames(session=session, campaign_id=campaign_id)
    result = compiled_result(session, campaign_id, frames, plan, event)
    stored = store_version(
        session=session,
        campaign_id=campaign_id,
        event=event,
        result=result,
        basis=basis_of(session, campaign_id, plan, event),
        as_of=as_of,
    )
    return stored or latest_versions(session, campaign_id)[event.key]


def basis_of(
    session: Session,
    campaign_id: int,
    plan: Plan,
    event: Event,
    campaign: str | None = None,
    inputs: WindowInputs | None = None,
) -> str:
    """The basis a summary of `event` compiled now is stored with (see summary_basis)."""
    campaign = campaign or campaign_basis(session, campaign_id)
    inputs = inputs or window_inputs(session, campaign_id)
    stage = stage_of_event(plan, event)
    return joined(campaign, inputs.basis((stage[2], stage[3]), event.date))


def refresh_summaries(
    *,
    session: Session,
    campaign_id: int,
    plan: Plan,
    as_of: datetime,
    frames: Callable[[], Frames] | None = None,
) -> list[CampaignSummary]:
    """Recompile each stored summary whose own inputs moved; the new versions stored.

    Nothing is read further when the answers and requests are unchanged since the latest
    versions (the campaign-wide part of their basis). Otherwise each summary's window
    basis is compared: unchanged, compiling it again would give the digest it has (its
    basis is brought up to date); changed, it is compiled and stored when what it says
    changed (`store_version`). `frames`: the tick's frames, loaded when first needed."""
    latest = latest_versions(session, campaign_id)
    now = campaign_basis(session, campaign_id)
    stale = {key: row for key, row in latest.items() if campaign_part(row.basis) != now}
    if not stale:
        return []
    events = {
        e.key: e
        for e in (to_event(r) for r in load_rows(session=session, campaign_id=campaign_id))
        if e.key in stale
    }
    inputs = window_inputs(session, campaign_id)
    bases = {
        key: basis_of(session, campaign_id, plan, event, now, inputs)
        for key, event in events.items()
    }
    moved = {}
    for key, new_basis in bases.items():
        row = stale[key]
        if window_part(row.basis) == window_part(new_basis):
            row.basis = new_basis  # the same inputs: the same digest, no new version
            session.add(row)
        else:
            moved[key] = row
    session.flush()
    if not moved:
        return []
    loaded = (frames or frames_once(session=session, campaign_id=campaign_id))()
    tasks = load_task_inputs(session=session, campaign_id=campaign_id, plan=plan)
    added = []
    for key, row in moved.items():
        event = events[key]
        result = compiled_result(session, campaign_id, loaded, plan, event, tasks)
        stored = store_version(
            session=session,
            campaign_id=campaign_id,
            event=event,
            result=result,
            basis=bases[key],
            as_of=as_of,
            previous=row,
        )
        if stored is not None:
            added.append(stored)
    return added


def store_version(
    *,
    session: Session,
    campaign_id: int,
    event: Event,
    result: dict[str, Any],
    basis: str,
    as_of: datetime,
    previous: CampaignSummary | None = None,
) -> CampaignSummary | None:
    """Store `result` as the next version of the event's summary, unless it says what the
    latest says (then only its basis is brought up to date). None when nothing was added
    (unchanged, or another run stored this version first)."""
    if previous is None:
        previous = latest_versions(session, campaign_id).get(event.key)
    hashed = digest(result)
    if previous is not None and previous.digest == hashed:
        if previous.basis != basis:
            previous.basis = basis
            session.add(previous)
            session.flush()
        return None
    changes: list[dict[str, Any]] = []
    if previous is not None:
        changes = changes_between(previous.result, result)
        result = {**result, "notes": [*change_notes(changes, previous.version), *result["notes"]]}
    summary = CampaignSummary(
        campaign_id=campaign_id,
        key=event.key,
        version=(previous.version + 1) if previous else 1,
        kind=event.kind,
        window_end=_window_end(result),
        as_of=as_of,
        digest=hashed,
        basis=basis,
        result=result,
        changes=changes,
    )
    try:
        with session.begin_nested():
            session.add(summary)
    except IntegrityError:  # another run stored this version first
        return None
    return summary


def _window_end(result: dict[str, Any]) -> date | None:
    end = result.get("stage", {}).get("end")
    return date.fromisoformat(end) if end else None
