"""Helpers shared by the orchestration tests (imported, not collected)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from campaign.orchestration.catchup import stale_reminders
from campaign.orchestration.events import ledger_key
from campaign.plan.stored import plan_of
from campaign.replies import acknowledge, submit_report
from campaign.schedule import ACK_DUTY, Event, is_request_kind, kind, window_key
from models.audit import Channel
from models.campaign import Campaign
from models.ledger import ActionRecord, ActionState
from models.reply import ReportCreate
from models.request import ReportRequest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 8, minute: int = 30) -> datetime:
    """A tick time in Beijing time."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), SHANGHAI).replace(
        hour=hour, minute=minute
    )


def ledger_rows(session) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    rows = session.exec(select(ActionRecord)).all()
    return sorted((r.action, r.period, r.bureau_code, r.state) for r in rows)


def answer(session, campaign_id: int, duty: str, period: str, code: str, **values) -> None:  # type: ignore[no-untyped-def]
    """The bureau answers its request through the replies service, right after the last
    tick: a 签收 for the acknowledgement duty, else a report whose `values` override a
    complete answer (0 for numbers, a word for texts)."""
    session.rollback()
    request = session.exec(
        select(ReportRequest).where(
            ReportRequest.campaign_id == campaign_id,
            ReportRequest.duty_key == duty,
            ReportRequest.period_key == period,
            ReportRequest.bureau_code == code,
        )
    ).one()
    campaign = session.get(Campaign, campaign_id)
    now = campaign.last_tick_at
    if duty == ACK_DUTY:
        acknowledge(session=session, link_or_request=request, channel=Channel.web, now=now)
    else:
        plan = plan_of(campaign)
        form = plan.form(plan.duty(duty).form or "")
        entries = {f.key: "情况" if f.type == "text" else "0" for f in form.fields}
        entries |= {k: str(v) for k, v in values.items()}
        report = ReportCreate(values=entries, narrative="情况说明")
        submit_report(
            session=session, link_or_request=request, report_in=report, channel=Channel.web, now=now
        )
    session.commit()


def predicted_ledger(
    events: list[Event], tick_days: list[date], bureaus: list[str]
) -> dict[tuple[str, str, str], ActionState]:
    """The ledger after ticking on each of `tick_days` in turn when no bureau answers,
    by the tick's own rules: every due event keyed per bureau (campaign-wide ones once),
    done, except reminders stale at the tick that carries them out and escalations of
    requests that very tick opened, which are skipped."""
    ledger: dict[tuple[str, str, str], ActionState] = {}
    opened: dict[tuple[str | None, str | None], date] = {}
    previous: date | None = None
    for day in sorted(tick_days):
        due = [e for e in events if e.date <= day and (previous is None or e.date > previous)]
        for event in due:
            if is_request_kind(event.kind):
                opened[(event.duty, event.period)] = day
            elif event.kind == "directive":
                opened[(ACK_DUTY, window_key(event))] = day
        stale = stale_reminders(events, day)
        for event in due:
            skipped = event.key in stale or (
                event.kind == "escalation" and opened.get((event.duty, event.period)) == day
            )
            state = ActionState.skipped if skipped else ActionState.done
            action, period = ledger_key(event)
            codes = [""] if kind(event.kind).audience == "campaign" else bureaus
            ledger |= {(action, period, code): state for code in codes}
        previous = day
    return ledger
