"""How `campaign status` and `campaign tick | run` show what they found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from campaign.cli._output import pad
from campaign.clock import in_zone
from campaign.i18n import _
from campaign.i18n.labels import CAMPAIGN_STATES, EVENT_KINDS, label
from campaign.orchestration.status import LATE_MARK, CampaignStanding


def echo_status(standing: CampaignStanding, timezone: str) -> None:
    state = label(CAMPAIGN_STATES, standing.status)
    typer.echo(f"{standing.document_number} {standing.title} [{state}]")
    typer.echo(
        _(
            "As of {day} ({zone}): timeline {timeline}%, reports received {received}/{expected}"
        ).format(
            day=standing.today,
            zone=timezone,
            timeline=standing.timeline_percent,
            received=standing.reports_received,
            expected=standing.reports_expected,
        )
    )
    phases = _(", ").join(
        _("{name} ({start} to {end})").format(**p) for p in standing.active_phases
    )
    typer.echo(_("Active phases: {phases}").format(phases=phases or _("none")))
    if standing.next_events:
        typer.echo(_("Next:"))
    for e in standing.next_events:
        due = _(" due {due}").format(due=e["due"]) if e["due"] else ""
        typer.echo(f"  {e['date']}  {pad(label(EVENT_KINDS, e['kind']), 13)} {e['what']}{due}")
    for b in standing.bureaus:
        late_done = sum(1 for item in b.done if item.endswith(LATE_MARK))
        template = (
            _(
                "{code} {name}: {done} done ({late_done} of them late), {outstanding} "
                "outstanding, {late} overdue"
            )
            if late_done
            else _("{code} {name}: {done} done, {outstanding} outstanding, {late} overdue")
        )
        typer.echo(
            template.format(
                code=b.code,
                name=b.name,
                done=len(b.done),
                late_done=late_done,
                outstanding=len(b.outstanding),
                late=len(b.late),
            )
        )
        for item in b.late:
            typer.echo("    " + _("overdue: {what}").format(what=item))
        for item in b.outstanding:
            typer.echo("    " + _("outstanding: {what}").format(what=item))
    echo_task_ledger(standing.tasks)


def echo_tick(report: dict[str, Any], timezone: str) -> None:
    day = f"{in_zone(datetime.fromisoformat(report['as_of']), timezone):%Y-%m-%d %H:%M} {timezone}"
    if report["refused"]:
        typer.echo(_("{when}: {what}").format(when=day, what=report["refused"]))
        return
    done = sum(len(e["done"]) for e in report["events"])
    skipped = sum(len(e["skipped"]) for e in report["events"])
    parts = [
        _("{events} event(s), {done} action(s) done").format(
            events=len(report["events"]), done=done
        )
    ]
    if skipped:
        parts.append(_("{n} skipped").format(n=skipped))
    if report["overdue"]:
        parts.append(_("{n} request(s) now overdue").format(n=report["overdue"]))
    if report["completed"]:
        parts.append(_("campaign completed"))
    mail = report.get("mail") or {}
    if mail.get("sent") or mail.get("failed"):
        parts.append(
            _("mail: {sent} sent, {failed} failed").format(sent=mail["sent"], failed=mail["failed"])
        )
    if mail.get("unavailable"):
        parts.append(_("mail held in the outbox ({reason})").format(reason=mail["unavailable"]))
    typer.echo(_("{when}: {what}").format(when=day, what=_(", ").join(parts)))


def echo_task_ledger(tasks: list[dict[str, Any]]) -> None:
    """The task ledger (任务台账): how many tasks are done, then each task not done."""
    if not tasks:
        return
    done = sum(1 for t in tasks if t["state"] == "done")
    typer.echo(_("Task ledger: {done} of {total} task(s) done").format(done=done, total=len(tasks)))
    for t in tasks:
        if t["state"] == "done":
            continue
        pending = _("、").join(t["units_pending"]) or _("none")
        typer.echo(
            "  "
            + _("[{state}] {title} (deadline {deadline}; not delivered: {units})").format(
                state=t["state_label"], title=t["title"], deadline=t["deadline"], units=pending
            )
        )
