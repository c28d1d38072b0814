"""The demo campaign: the Hubei plan from its first day to its acceptance, in a minute or two.

A real SMTP server on loopback keeps every message in a Maildir; the 17 city-level bureaus
are simulated (most answer on time, three late, one never sends its weekly report) and
answer through the same functions as the web form; the coordinator accepts each answer.
Each tick is a Prefect flow run (or plain calls with prefect=False).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from campaign import db as dbmod
from campaign.bureaus import import_bureau_csv
from campaign.demo import mail_answers
from campaign.demo.bureaus import SimulatedBureau
from campaign.i18n import _
from campaign.inbox.dovecot import Dovecot
from campaign.mail.server import running_mailserver
from campaign.orchestration.launch import launch_campaign, validated_plan
from campaign.orchestration.tick import run_tick, tick_moments
from campaign.plan.stored import plan_of
from campaign.replies.acknowledge import acknowledge
from campaign.replies.review import accept_submission
from campaign.replies.submit import submit_report
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel
from models.bureau import Bureau
from models.campaign import Campaign
from models.outbox import OutboxMessage
from models.reply import ReportCreate
from models.request import ReportRequest, RequestKind, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from models.summary import CampaignSummary

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "hubei-2007.yaml"
BUREAUS = ROOT / "examples" / "bureaus-hubei.csv"
OPEN = (RequestStatus.open, RequestStatus.overdue, RequestStatus.returned)


@dataclass
class DemoResult:
    campaign_id: int
    ticks: int = 0
    actions: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    mail: Counter[str] = field(default_factory=Counter)
    maildir_messages: int = 0
    targets: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""


def run_demo(
    *, data_dir: Path, prefect: bool = True, echo: Callable[[str], None] = print
) -> DemoResult:
    """Run the whole demo in data_dir (emptied first); returns what happened."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    port = _free_port()
    os.environ.update(
        CAMPAIGN_DATA_DIR=str(data_dir),
        CAMPAIGN_DATABASE_URL=f"sqlite:///{(data_dir / 'campaign.db').resolve()}",
        CAMPAIGN_SMTP_HOST="127.0.0.1",
        CAMPAIGN_SMTP_PORT=str(port),
        CAMPAIGN_SMTP_SECURITY="none",
        CAMPAIGN_MAIL_RATE_PER_SECOND="0",
    )
    dbmod.reset()
    maildir = data_dir / "maildir"
    with (
        running_mailserver(port=port, maildir=maildir) as server,
        mail_answers.mailbox(data_dir) as imap,
        dbmod.session_scope() as session,
    ):
        if imap is None:
            echo(mail_answers.NO_DOVECOT)
        else:
            os.environ.update(imap.env())
            dbmod.get_settings.cache_clear()
            echo(
                f"office mailbox (Dovecot IMAP) on 127.0.0.1:{imap.port}: bureaus "
                "answering by e-mail reply there; each tick reads it"
            )
        import_bureau_csv(session=session, raw=BUREAUS.read_bytes())
        plan, text = validated_plan(PLAN.read_bytes(), str(PLAN))
        campaign = launch_campaign(
            session=session,
            plan=plan,
            plan_text=text,
            source=str(PLAN),
            work=WorkCalendar(),
            actor="demo",
            channel=Channel.cli,
        )
        session.commit()
        assert campaign.id is not None
        result = DemoResult(campaign_id=campaign.id)
        echo(
            _("Launched campaign {id}: {number} {title}").format(
                id=campaign.id, number=campaign.document_number, title=campaign.title
            )
        )
        echo(
            _("Mail server on 127.0.0.1:{port}, keeping mail in {folder}").format(
                port=port, folder=maildir
            )
        )
        moments = tick_moments(campaign_id=campaign.id, start=plan.start, end=plan.end)
        bureaus = _simulated(session)
        for moment in moments:
            server.simulated_now = moment
            _bureaus_answer(
                session, campaign.id, bureaus, until=moment, answers=result.answers, imap=imap
            )
            report = _tick(campaign.id, moment, prefect)
            done = sum(len(e["done"]) for e in report["events"])
            result.ticks += 1
            result.actions += done
            mail = report.get("mail") or {}
            echo(
                _("{day} tick: {events} event(s), {done} action(s), {sent} message(s) sent").format(
                    day=f"{moment:%Y-%m-%d}",
                    events=len(report["events"]),
                    done=done,
                    sent=mail.get("sent", 0),
                )
            )
        session.expire_all()
        result.mail = Counter(str(m.state) for m in session.exec(select(OutboxMessage)).all())
        result.maildir_messages = len(server.box)
        result.targets = _acceptance_targets(session, campaign.id)
        result.status = str(session.get(Campaign, campaign.id).status)  # type: ignore[union-attr]
    return result


def _tick(campaign_id: int, moment: datetime, prefect: bool) -> dict[str, Any]:
    if not prefect:
        return run_tick(campaign_id=campaign_id, as_of=moment).to_json()
    from flows.campaign_tick import run_ticks

    return run_ticks(campaign_id, [moment], heartbeats=False)[0]


def _simulated(session: Session) -> dict[str, SimulatedBureau]:
    codes = sorted(b.code for b in session.exec(select(Bureau)).all() if b.parent_code)
    return {code: SimulatedBureau(code, i) for i, code in enumerate(codes)}


def _bureaus_answer(
    session: Session,
    campaign_id: int,
    bureaus: dict[str, SimulatedBureau],
    *,
    until: datetime,
    answers: Counter[str],
    imap: Dovecot | None = None,
) -> None:
    """Every answer the bureaus would have sent before `until`, then the coordinator's review.
    Bureaus in MAIL_BUREAUS reply to the request mail instead (the tick takes those in)."""
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    _review_mail_answers(session, campaign_id, answers)
    plan = plan_of(campaign)
    names = {b.code: b.name for b in session.exec(select(Bureau)).all()}
    emails = {b.code: b.email for b in session.exec(select(Bureau)).all()}
    mailed = session.info.setdefault("demo_mailed", set())
    query = select(ReportRequest).where(
        col(ReportRequest.campaign_id) == campaign_id, col(ReportRequest.status).in_(OPEN)
    )
    for request in session.exec(query.order_by(col(ReportRequest.id))).all():
        bureau = bureaus.get(request.bureau_code)
        when = bureau.answers_at(request, campaign.timezone) if bureau else None
        if bureau is None or when is None or when >= until or request.id in mailed:
            continue
        if request.kind == RequestKind.acknowledgement:
            acknowledge(session=session, link_or_request=request, channel=Channel.web, now=when)
            answers["acknowledged"] += 1
            continue
        form = plan.form(plan.duty(request.duty_key).form or "")
        if imap is not None and bureau.index in mail_answers.MAIL_BUREAUS:
            sent = mail_answers.send_reply(
                session=session,
                server=imap,
                request=request,
                sender=emails[request.bureau_code],
                office=get_settings().mail_from,
                values=bureau.figures(form.key, request),
                narrative=bureau.narrative(form.key, names[request.bureau_code]),
                when=when,
            )
            if sent:
                mailed.add(request.id)
                continue
        report = ReportCreate(
            values=bureau.figures(form.key, request),
            narrative=bureau.narrative(form.key, names[request.bureau_code]),
        )
        submission = submit_report(
            session=session,
            link_or_request=request,
            report_in=report,
            channel=Channel.web,
            now=when,
            actor=request.bureau_code,
        ).submission
        answers["late" if submission.late else "on time"] += 1
        assert submission.id is not None
        accept_submission(
            session=session, submission_id=submission.id, reviewer="省局领导小组办公室", now=when
        )
    session.commit()


def _review_mail_answers(session: Session, campaign_id: int, answers: Counter[str]) -> None:
    """The coordinator accepts what the last tick took in from the mailbox."""
    pending = session.exec(
        select(ReportSubmission).where(
            col(ReportSubmission.campaign_id) == campaign_id,
            col(ReportSubmission.channel) == "email",
            col(ReportSubmission.review_status) == ReviewStatus.pending,
        )
    ).all()
    for submission in pending:
        answers["by e-mail"] += 1
        answers["late" if submission.late else "on time"] += 1
        accept_submission(
            session=session,
            submission_id=submission.id,  # type: ignore[arg-type]
            reviewer="省局领导小组办公室",
            now=submission.submitted_at,
        )


def _acceptance_targets(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    row = session.exec(
        select(CampaignSummary).where(
            col(CampaignSummary.campaign_id) == campaign_id,
            col(CampaignSummary.kind) == "acceptance",
        )
    ).first()
    return list(row.result.get("targets", [])) if row else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def describe(result: DemoResult, data_dir: Path) -> list[str]:
    """What the demo did, for the coordinator reading the terminal."""
    lines = [
        "",
        _("Campaign {id}: {status} after {ticks} ticks, {actions} actions").format(
            id=result.campaign_id,
            status=_(str(result.status)),
            ticks=result.ticks,
            actions=result.actions,
        ),
        _(
            "Answers: {on_time} on time, {late} late, {acks} directives acknowledged; "
            "{mailed} answers came by e-mail (replies with the table)"
        ).format(
            on_time=result.answers["on time"],
            late=result.answers["late"],
            acks=result.answers["acknowledged"],
            mailed=result.answers["by e-mail"],
        ),
        _("Mail: {states}; {n} messages in {folder}").format(
            states=_(", ").join(f"{_(k)} {v}" for k, v in sorted(result.mail.items())),
            n=result.maildir_messages,
            folder=data_dir / "maildir",
        ),
        "",
        _("Acceptance against the plan's targets:"),
    ]
    for t in result.targets:
        verdict = {True: _("met"), False: _("NOT met"), None: _("no data")}[t["met"]]
        value = f"{t['value']}{t['unit']}" if t["value"] is not None else "-"
        line = f"  {t['name']}: {value} ({t['comparator']} {t['threshold']}{t['unit']}) {verdict}"
        if t["failing"]:
            line += _("; below target: {units}").format(units=_("、").join(t["failing"]))
        if t["missing"]:
            line += _("; no report from: {units}").format(units=_("、").join(t["missing"]))
        lines.append(line)
    lines += [
        "",
        _("Look around:"),
        f"  export CAMPAIGN_DATA_DIR={data_dir}",
        f"  .venv/bin/campaign status {result.campaign_id} --as-of {date(2007, 11, 30)}",
        f"  .venv/bin/campaign log {result.campaign_id} --bureau 429021",
        "  .venv/bin/campaign outbox list | head",
    ]
    return lines
