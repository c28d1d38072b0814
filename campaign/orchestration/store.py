"""A campaign's resolved schedule in the database: stored at launch, replaced on amendment
(completed events are kept as they were), read by every tick."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from campaign.schedule import RECTIFY_DUTY, Event, event_order
from models._common import utcnow
from models.schedule import ScheduledEvent

EVENT_FIELDS = tuple(f.name for f in fields(Event))


def to_row(campaign_id: int, event: Event) -> ScheduledEvent:
    return ScheduledEvent(campaign_id=campaign_id, **{n: getattr(event, n) for n in EVENT_FIELDS})


def to_event(row: ScheduledEvent) -> Event:
    return Event(**{n: getattr(row, n) for n in EVENT_FIELDS})


def store_schedule(*, session: Session, campaign_id: int, events: list[Event]) -> None:
    session.add_all([to_row(campaign_id, e) for e in events])
    session.flush()


def load_rows(
    *, session: Session, campaign_id: int, until: date | None = None, pending_only: bool = False
) -> list[ScheduledEvent]:
    """Stored events in tick order (optionally those dated up to `until`, not completed)."""
    query = select(ScheduledEvent).where(col(ScheduledEvent.campaign_id) == campaign_id)
    if until is not None:
        query = query.where(col(ScheduledEvent.date) <= until)
    if pending_only:
        query = query.where(col(ScheduledEvent.completed_at) == None)  # noqa: E711
    rows = list(session.exec(query).all())
    return sorted(rows, key=lambda r: event_order(to_event(r)))


def load_period_events(
    *, session: Session, campaign_id: int, kind: str, duty: str, period: str
) -> list[Event]:
    """The stored events of one kind for one duty period (e.g. all its reminders)."""
    query = select(ScheduledEvent).where(
        col(ScheduledEvent.campaign_id) == campaign_id,
        col(ScheduledEvent.kind) == kind,
        col(ScheduledEvent.duty) == duty,
        col(ScheduledEvent.period) == period,
    )
    return sorted((to_event(r) for r in session.exec(query).all()), key=event_order)


def load_event(*, session: Session, campaign_id: int, key: str) -> ScheduledEvent | None:
    return session.exec(
        select(ScheduledEvent).where(
            col(ScheduledEvent.campaign_id) == campaign_id, col(ScheduledEvent.key) == key
        )
    ).first()


def complete_event(*, session: Session, event_id: int, at: datetime | None = None) -> None:
    session.execute(
        update(ScheduledEvent)
        .where(
            col(ScheduledEvent.id) == event_id,
            col(ScheduledEvent.completed_at) == None,  # noqa: E711
        )
        .values(completed_at=at or utcnow())
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class ScheduleChange:
    added: list[str]
    moved: list[str]
    removed: list[str]
    kept_done: int


def replace_schedule(*, session: Session, campaign_id: int, events: list[Event]) -> ScheduleChange:
    """Make the stored schedule match `events`, never touching a completed event nor the
    chase of a 整改 order (not the plan's: campaign.acceptance.orders stores it)."""
    rows = {
        r.key: r
        for r in load_rows(session=session, campaign_id=campaign_id)
        if r.duty != RECTIFY_DUTY
    }
    wanted = {e.key: e for e in events}
    added, moved, removed = [], [], []
    for key, row in rows.items():
        if row.completed_at is not None:
            continue
        if key not in wanted:
            removed.append(key)
            session.execute(delete(ScheduledEvent).where(col(ScheduledEvent.id) == row.id))
            continue
        event = wanted[key]
        if to_event(row) != event:
            moved.append(key)
            for name in EVENT_FIELDS:
                setattr(row, name, getattr(event, name))
    for key, event in wanted.items():
        if key not in rows:
            added.append(key)
            session.add(to_row(campaign_id, event))
    session.flush()
    kept = sum(1 for r in rows.values() if r.completed_at is not None)
    return ScheduleChange(added=added, moved=moved, removed=removed, kept_done=kept)
