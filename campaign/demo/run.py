"""The simulator: any plan, from its first day to its acceptance, with simulated bureaus.

A real SMTP server on loopback keeps every message in a Maildir; the bureaus (a registry
given as CSV, or generated level by level, see registry.py) answer through the same
functions as the web form and the upload (some send the filled .xlsx table, read by the
upload's parser): some late, some never, some with a mistake the checks refuse and then
corrected, some returned by the coordinator and sent again (see bureaus.py); the
coordinator accepts every other answer. Each tick is a Prefect flow run (or plain calls
with prefect=False). `campaign demo` is this with the Hubei plan and its real registry.
"""

from __future__ import annotations

import mailbox
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from campaign import db as dbmod
from campaign.acceptance.report import write_acceptance_report
from campaign.bureaus import addressed_units, import_bureau_csv
from campaign.demo import mail_answers
from campaign.demo.account import Progress
from campaign.demo.answer import REVIEWER, answer_request
from campaign.demo.bureaus import EARLIEST_ANSWER, Rates, SimulatedBureau
from campaign.demo.registry import generate_registry
from campaign.inbox.dovecot import Dovecot
from campaign.orchestration.launch import launch_campaign, validated_plan
from campaign.orchestration.tick import run_tick, tick_moments
from campaign.plan.schema import Plan
from campaign.plan.stored import plan_of
from campaign.replies.review import accept_submission
from campaign.results.load import load_frames
from campaign.results.outputs import write_outputs, write_summary_versions
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel
from models.bureau import Bureau
from models.campaign import Campaign
from models.outbox import OutboxMessage
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission, ReviewStatus
from models.summary import CampaignSummary

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "hubei-2007.yaml"
BUREAUS = ROOT / "examples" / "bureaus-hubei.csv"
DEMO_SEED = 2007
OPEN = (RequestStatus.open, RequestStatus.overdue, RequestStatus.returned)


@dataclass
class DemoResult:
    campaign_id: int
    document_number: str = ""
    units: int = 0
    ticks: int = 0
    actions: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    outcomes: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    mail: Counter[str] = field(default_factory=Counter)
    maildir_messages: int = 0
    targets: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    last_day: str = ""
    sample_bureau: str = ""
    unit_names: dict[str, str] = field(default_factory=dict)  # code -> name, for people
    outputs: list[Path] = field(default_factory=list)  # 汇总表, drafts, charts written


def run_demo(
    *,
    data_dir: Path,
    prefect: bool = True,
    echo: Callable[[str], None] = print,
    progress: Progress | None = None,
) -> DemoResult:
    """The Hubei plan with its 17 real city bureaus (a simulation like any other)."""
    return simulate(
        plan_path=PLAN,
        registry=BUREAUS.read_bytes(),
        seed=DEMO_SEED,
        data_dir=data_dir,
        prefect=prefect,
        echo=echo,
        progress=progress,
    )


def simulate(
    *,
    plan_path: Path,
    data_dir: Path,
    registry: bytes | None = None,
    units: int = 0,
    seed: int = 0,
    rates: Rates | None = None,
    prefect: bool = True,
    work_pool: str | None = None,
    database_url: str | None = None,
    echo: Callable[[str], None] = print,
    progress: Progress | None = None,
) -> DemoResult:
    """Run the plan's whole campaign in data_dir (emptied first) over the registry (CSV
    bytes) or over `units` generated bureaus; returns what happened.

    With work_pool (and prefect), the campaign is deployed to that pool and each tick is a
    run of its deployment that the pool's workers carry out (docs/operations.md); else
    each tick is a flow run in this process. database_url: an empty application database
    (default: SQLite in data_dir)."""
    rates = rates or Rates()
    plan, text = validated_plan(plan_path.read_bytes(), str(plan_path))
    if registry is None:
        registry = generate_registry(plan, units, seed)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    port = _free_port()
    os.environ.update(
        CAMPAIGN_DATA_DIR=str(data_dir),
        CAMPAIGN_DATABASE_URL=database_url or f"sqlite:///{(data_dir / 'campaign.db').resolve()}",
        CAMPAIGN_SMTP_HOST="127.0.0.1",
        CAMPAIGN_SMTP_PORT=str(port),
        CAMPAIGN_SMTP_SECURITY="none",
        CAMPAIGN_MAIL_RATE_PER_SECOND="0",
    )
    if work_pool is not None:
        os.environ["CAMPAIGN_WORK_POOL"] = work_pool
    dbmod.reset()
    maildir = data_dir / "maildir"
    with (
        _mailserver(port, maildir),
        mail_answers.mailbox(data_dir) as imap,
        dbmod.session_scope() as session,
    ):
        if imap is None:
            echo(mail_answers.NO_DOVECOT)
        else:
            os.environ.update(imap.env())
            dbmod.get_settings.cache_clear()
            echo(
                f"办公室收件箱（Dovecot IMAP）127.0.0.1:{imap.port}："
                "部分单位以回复邮件报送，每次巡检读取"
            )
        import_bureau_csv(session=session, raw=registry)
        campaign = launch_campaign(
            session=session,
            plan=plan,
            plan_text=text,
            source=str(plan_path),
            work=WorkCalendar(),
            actor="simulator",
            channel=Channel.cli,
        )
        session.commit()
        assert campaign.id is not None
        bureaus = _simulated(session, plan, seed, rates)
        result = DemoResult(
            campaign_id=campaign.id,
            document_number=campaign.document_number,
            units=len(bureaus),
            last_day=plan.end.isoformat(),
            sample_bureau=min(bureaus, default=""),
            unit_names={code: b.name for code, b in bureaus.items()},
        )
        echo(f"已启动（编号 {campaign.id}）：{campaign.document_number} {campaign.title}")
        echo(f"模拟单位 {len(bureaus)} 个；邮件服务器 127.0.0.1:{port}，邮件保存在 {maildir}")
        # through the last event: reminders of the last reports may follow the plan's end
        moments = tick_moments(campaign_id=campaign.id, start=plan.start, end=None)
        result.last_day = max(plan.end, *(m.date() for m in moments)).isoformat()
        tick = _ticker(campaign, prefect, work_pool)
        if progress is not None:
            progress.start(len(moments))
        for moment in moments:
            clock_file(maildir).write_text(moment.isoformat())
            _bureaus_answer(session, campaign.id, bureaus, until=moment, result=result, imap=imap)
            report = tick(moment)
            done = sum(len(e["done"]) for e in report["events"])
            result.ticks += 1
            result.actions += done
            if progress is not None:
                progress.advance(f"{moment:%Y-%m-%d} 办理 {done} 项")
        if progress is not None:
            progress.finish()
        _review_mail_answers(session, campaign.id, result)
        session.commit()
        session.expire_all()
        # counted by the database: loading every message (bodies included) to count them
        # was the simulation's peak, 2.4 GB at 3,000 units
        states = select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))
        result.mail = Counter({str(state): n for state, n in session.exec(states).all()})
        result.maildir_messages = len(mailbox.Maildir(maildir, create=False))
        result.targets = _acceptance_targets(session, campaign.id)
        result.outputs = _write_results(session, campaign.id, data_dir / "results", plan.end)
        unanswered = select(ReportRequest).where(
            col(ReportRequest.campaign_id) == campaign.id,
            col(ReportRequest.answered_at) == None,  # noqa: E711
            col(ReportRequest.bureau_code).in_(list(bureaus)),
        )
        for request in session.exec(unanswered).all():
            result.answers["missing"] += 1
            result.outcomes.append(
                (request.bureau_code, request.kind, request.duty_key, request.period_key, "missing")
            )
        result.status = str(session.get(Campaign, campaign.id).status)  # type: ignore[union-attr]
    result.outcomes.sort()
    return result


def _ticker(
    campaign: Campaign, prefect: bool, work_pool: str | None
) -> Callable[[datetime], dict[str, Any]]:
    """How each tick runs: plain calls, a flow run in this process, or (work_pool) a run
    of the campaign's deployment carried out by the pool's workers."""
    campaign_id = campaign.id
    assert campaign_id is not None
    if not prefect:
        return lambda moment: run_tick(campaign_id=campaign_id, as_of=moment).to_json()
    from flows.campaign_tick import run_by_worker, run_ticks

    if work_pool is None:
        return lambda moment: run_ticks(campaign_id, [moment], heartbeats=False)[0]
    from deployments.campaigns import deploy_campaign, set_schedule_paused

    deployment_id = deploy_campaign(campaign)
    if deployment_id is None:
        raise RuntimeError(f"工作池 {work_pool} 模式需要可连接的 Prefect 服务器（PREFECT_API_URL）")
    set_schedule_paused(campaign_id, paused=True)  # its cron would tick it at today's date
    env = {k: v for k, v in os.environ.items() if k.startswith("CAMPAIGN_")}
    return lambda moment: run_by_worker(deployment_id, campaign_id, moment, env=env)


def _simulated(session: Session, plan: Plan, seed: int, rates: Rates) -> dict[str, SimulatedBureau]:
    """The units the plan addresses (the issuing bureau too when it carries a duty)."""
    addressed = set(addressed_units(session=session, plan=plan))
    return {
        b.code: SimulatedBureau(b.code, b.name, seed, rates, b.email)
        for b in session.exec(select(Bureau)).all()
        if b.code in addressed
    }


def _bureaus_answer(
    session: Session,
    campaign_id: int,
    bureaus: dict[str, SimulatedBureau],
    *,
    until: datetime,
    result: DemoResult,
    imap: Dovecot | None = None,
) -> None:
    """Every answer the bureaus would have sent before `until`, then the coordinator's review.
    Bureaus in MAIL_BUREAUS (by their place in code order) reply to the request mail
    instead, when a mailbox runs: the tick takes those in, the next call reviews them."""
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    _review_mail_answers(session, campaign_id, result)
    plan = plan_of(campaign)
    by_mail = {code for i, code in enumerate(sorted(bureaus)) if i in mail_answers.MAIL_BUREAUS}
    mailed = session.info.setdefault("demo_mailed", set())
    # the bureaus in the session for this call, in one query (the web form's link loads its
    # bureau with the link; answering by request would read it once per answer)
    held = session.exec(select(Bureau).where(col(Bureau.code).in_(sorted(bureaus)))).all()
    # only requests due soon enough to be answered before `until` (a day more for the
    # campaign's time zone)
    due_by = until.date() + EARLIEST_ANSWER + timedelta(days=1)
    query = select(ReportRequest).where(
        col(ReportRequest.campaign_id) == campaign_id,
        col(ReportRequest.status).in_(OPEN),
        col(ReportRequest.due_date) <= due_by,
    )
    for request in session.exec(query.order_by(col(ReportRequest.id))).all():
        bureau = bureaus.get(request.bureau_code)
        when = bureau.answers_at(request, campaign.timezone) if bureau else None
        if bureau is None or when is None or when >= until or request.id in mailed:
            continue
        if imap is not None and bureau.code in by_mail and request.kind != "acknowledgement":
            form = plan.form(plan.duty(request.duty_key).form or "")
            if mail_answers.send_reply(
                session=session,
                server=imap,
                request=request,
                sender=bureau.email,
                office=get_settings().mail_from,
                values=bureau.figures(form, request, plan.start, plan.end, plan.targets),
                narrative=bureau.narrative(form, request),
                when=when,
                files=bureau.files(form),
            ):
                mailed.add(request.id)
                continue
        for outcome in answer_request(session, campaign, plan, bureau, request, when):
            result.answers[outcome] += 1
            result.outcomes.append(
                (request.bureau_code, request.kind, request.duty_key, request.period_key, outcome)
            )
    session.commit()
    del held  # kept in the session until here (its identity map holds them weakly)


def _review_mail_answers(session: Session, campaign_id: int, result: DemoResult) -> None:
    """The coordinator accepts what the last tick took in from the mailbox."""
    pending = session.exec(
        select(ReportSubmission).where(
            col(ReportSubmission.campaign_id) == campaign_id,
            col(ReportSubmission.channel) == "email",
            col(ReportSubmission.review_status) == ReviewStatus.pending,
        )
    ).all()
    for submission in pending:
        request = session.get_one(ReportRequest, submission.request_id)
        for outcome in ("by e-mail", "late" if submission.late else "on time"):
            result.answers[outcome] += 1
            result.outcomes.append(
                (request.bureau_code, request.kind, request.duty_key, request.period_key, outcome)
            )
        accept_submission(
            session=session,
            submission_id=submission.id,  # type: ignore[arg-type]
            reviewer=REVIEWER,
            now=submission.submitted_at,
        )


def _acceptance_targets(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    row = session.exec(
        select(CampaignSummary)
        .where(
            col(CampaignSummary.campaign_id) == campaign_id,
            col(CampaignSummary.kind) == "acceptance",
        )
        .order_by(col(CampaignSummary.version).desc())
    ).first()
    return list(row.result.get("targets", [])) if row else []


def _write_results(session: Session, campaign_id: int, out: Path, last_day: date) -> list[Path]:
    """The campaign's outputs for the coordinator: the 汇总表, the 工作总结 and 通报 drafts,
    the charts, and each stored summary's draft."""
    frames = load_frames(session=session, campaign_id=campaign_id)
    outputs = write_outputs(frames, out, today=last_day, whole=True)
    versions = write_summary_versions(
        session=session, campaign_id=campaign_id, out=out / "阶段小结"
    )
    acceptance = write_acceptance_report(
        session=session, campaign_id=campaign_id, out=out / "检查验收", today=last_day
    )
    return [*outputs.files, *acceptance, *versions]


def clock_file(maildir: Path) -> Path:
    """Where the simulation writes its moment for the mail server to date messages with."""
    return maildir.parent / "simulated-now.txt"


@contextmanager
def _mailserver(port: int, maildir: Path) -> Iterator[None]:
    """The SMTP server in a process of its own: in this one it would hold the GIL against
    the simulation for every message it stores."""
    code = (
        "import sys; from pathlib import Path; from campaign.mail.server import serve_forever; "
        "serve_forever(host='127.0.0.1', port=int(sys.argv[1]), maildir=Path(sys.argv[2]), "
        "clock_file=Path(sys.argv[3]))"
    )
    clock = clock_file(maildir)
    server = subprocess.Popen([sys.executable, "-c", code, str(port), str(maildir), str(clock)])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the mail server on port {port} did not start") from None
                time.sleep(0.05)
        yield
    finally:
        server.terminate()
        server.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
