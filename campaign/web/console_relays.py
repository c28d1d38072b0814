"""The top-level rule on the console: requests relayed to a unit (report_request.relay_to;
campaign.results.levels) are taken out of the office's tallies and counted per relay
unit instead."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from campaign.web.console_data import Counts, Period, within
from campaign.web.console_tally import Tally, period_counts
from models.request import ReportRequest


@dataclass
class RelayTally:
    """The requests relayed to a unit (report_request.relay_to; campaign.results.levels):
    detail rows, not the office's. by_relay: duty → relay unit → its detail units'
    requests counted; units: duty → relay unit → its detail units."""

    by_relay: dict[str, dict[str, Counts]]
    units: dict[str, dict[str, set[str]]]

    def units_of(self) -> set[str]:
        """Every relay unit, of any duty."""
        return {relay for per_relay in self.units.values() for relay in per_relay}


def top_level(
    *,
    session: Session,
    campaign_id: int,
    today: date,
    tally: Tally,
    periods: dict[str, list[Period]],
    units: frozenset[str] | None = None,
) -> RelayTally:
    """Take the relayed requests out of the tallies, in place (the top-level rule): what
    is left are the office's own — the relay units' aggregate reports and the direct
    reporters; the relayed ones are counted per relay unit instead. A duty's detail units
    are read from its latest period (one lookup by the requests' unique index: a routed
    duty relays every period of a unit); a routed duty's periods are counted again over
    its top-level units (through the covering index ix_report_request_units)."""
    r = ReportRequest
    found = RelayTally(defaultdict(dict), {})
    for duty, duty_periods in periods.items():
        if not duty_periods:
            continue
        query = select(col(r.bureau_code), col(r.relay_to)).where(
            col(r.campaign_id) == campaign_id,
            col(r.duty_key) == duty,
            col(r.period_key) == duty_periods[-1].key,
            within(units),
        )
        rows = session.connection().execute(query).tuples().all()
        relay_of = {unit: relay for unit, relay in rows if relay is not None}
        if not relay_of:
            continue
        counted = tally.by_duty.get(duty, {})
        for unit, relay in relay_of.items():
            found.units.setdefault(duty, {}).setdefault(relay, set()).add(unit)
            c = counted.pop(unit, None)
            if c is not None:
                found.by_relay[duty].setdefault(relay, Counts()).merge(c)
            tally.accepted.get(duty, {}).pop(unit, None)
        top = frozenset(counted) if units is None else frozenset(counted) & units
        again = period_counts(
            session=session, campaign_id=campaign_id, today=today, units=top, duty=duty
        )
        periods[duty] = again.get(duty, [])
    return found
