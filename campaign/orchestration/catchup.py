"""What a late tick still does: catch-up without bursts of stale notices.

A tick that runs late (the campaign was paused, launched after its start, or no worker
ran for a week) carries out every event that fell due in the gap. Directives, report
requests and summaries are never dropped. Reminders are: each request gets at most one,
the latest that applies, written as of the tick; a reminder for a moment long gone is
recorded in the ledger as skipped (done without effect), so that no later tick, re-run
or concurrent tick sends it. Escalations are gathered per parent unit (one notice per
parent and tick, see `escalations`), and a request opened by this very tick is not
escalated: its unit has had no time to answer.

All of it is a pure function of the schedule and the tick's local day, so two ticks for
the same day decide alike, and tests predict the ledger with the same functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from campaign.schedule import Event

PAST_DUE = "before-due reminder after the due date"
SUPERSEDED = "a later reminder of the same request is due"
OPENED_THIS_TICK = "request opened by this tick"
ANSWERED = "answered"
NO_PARENT = "no parent bureau"


def is_before_due(event: Event) -> bool:
    """A reminder ahead of the due date ("due tomorrow"), not a 催报 after it."""
    return event.due is not None and event.date < event.due


def stale_reminders(events: Iterable[Event], today: date) -> dict[str, str]:
    """The reminder events due by `today` that a tick on `today` must not send, with why.

    Of the reminders of one request (one duty period; the via units' aggregate requests
    of a routed duty apart from its reporters') due by today only the latest is
    sent; a before-due reminder whose due date has passed is never sent.
    """
    due_by_period: dict[tuple[str | None, str | None, bool], list[Event]] = defaultdict(list)
    for event in events:
        if event.kind == "reminder" and event.date <= today:
            due_by_period[(event.duty, event.period, event.aggregate)].append(event)
    stale: dict[str, str] = {}
    for reminders in due_by_period.values():
        latest = max(reminders, key=lambda e: (e.date, e.key))
        for event in reminders:
            if is_before_due(event) and event.due is not None and event.due < today:
                stale[event.key] = PAST_DUE
            elif event is not latest:
                stale[event.key] = SUPERSEDED
    return stale


def stale_reason(event: Event, siblings: Iterable[Event], today: date) -> str | None:
    """Why the reminder `event` is not sent on `today` (None: send it); `siblings` are
    the reminders of the same duty period (the event itself may be among them)."""
    return stale_reminders([event, *(s for s in siblings if s.key != event.key)], today).get(
        event.key
    )
