"""What a campaign does, when: the event model (`events`), the registry of event kinds
(`kinds`) and the reporting periods of the plan's duties (`periods`).

A pure function of the plan and the working calendar: `campaign schedule` prints
`build_schedule(plan)` and the tick carries out the same events.
"""

from campaign.schedule.events import (
    ACK_DUTY,
    AGGREGATE_KIND,
    FORWARD_DUTY,
    RECTIFY_DUTY,
    SUMMARY_KIND,
    Event,
    acknowledgement_label,
    aggregate_event,
    build_schedule,
    chase_events,
    duty_requests,
    event_order,
    events_due,
    forward_due,
    forward_label,
    forwarded_chase,
    forwarded_period,
    is_forwarded_period,
    obligation,
    summary_event,
    window_key,
)
from campaign.schedule.kinds import KINDS, Kind, is_request_kind, kind
from campaign.schedule.periods import (
    Period,
    day_label,
    duty_periods,
    duty_window,
    offset_date,
    plan_workdays,
    span_label,
)

__all__ = [
    "ACK_DUTY",
    "FORWARD_DUTY",
    "AGGREGATE_KIND",
    "KINDS",
    "RECTIFY_DUTY",
    "SUMMARY_KIND",
    "Event",
    "Kind",
    "Period",
    "acknowledgement_label",
    "aggregate_event",
    "build_schedule",
    "chase_events",
    "day_label",
    "duty_periods",
    "duty_requests",
    "duty_window",
    "event_order",
    "events_due",
    "forward_due",
    "forward_label",
    "forwarded_chase",
    "forwarded_period",
    "is_forwarded_period",
    "obligation",
    "is_request_kind",
    "kind",
    "offset_date",
    "plan_workdays",
    "span_label",
    "summary_event",
    "window_key",
]
