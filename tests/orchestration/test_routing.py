"""A duty routed level by level, end to end on both databases, as plain functions: the
counties answer their city, a city returns one county's report and it is corrected, the
cities aggregate and submit, the office accepts, and the province's totals count every
county once; chasing goes county → city → province; who may review what."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from campaign.accounts import OFFICE, scope_of
from campaign.orchestration.tick import run_tick
from campaign.replies.aggregate import AggregateRefused, submit_for_account
from campaign.replies.errors import ReportInvalid
from campaign.replies.review import (
    ReviewError,
    accept_submission,
    return_submission,
    review_queue,
)
from campaign.results.compile import compile_results
from campaign.results.load import load_frames
from campaign.results.relay import relay_report
from models.audit import AuditEvent
from models.outbox import OutboxMessage
from models.request import RequestKind, RequestStatus
from models.submission import ReportSubmission
from tests.support.routed import (
    CITIES,
    COUNTIES,
    DUTY,
    PROVINCE,
    SHANGHAI,
    at,
    county_answers,
    launch_routed,
    request_of,
)


def scope(session: Session, username: str):  # type: ignore[no-untyped-def]
    found = scope_of(session, username)
    assert found is not None
    return found


def test_counties_city_review_aggregate_and_province_totals_once(session: Session) -> None:
    campaign_id = launch_routed(session)
    run_tick(campaign_id=campaign_id, as_of=at("2026-04-01"))
    for city, counties in CITIES.items():  # each county answers its city, by 04-07
        for code in counties:
            request = request_of(session, code)
            assert (request.relay_to, request.due_date) == (city, date(2026, 4, 7))
            assert request.recipients[0]["code"] == city
        aggregate = request_of(session, city, RequestKind.aggregate)
        assert (aggregate.relay_to, aggregate.due_date) == (None, date(2026, 4, 10))  # +3 工作日
    sids = {code: county_answers(session, code, at("2026-04-03", 10)) for code in COUNTIES}

    # queues: the office sees no county; each city its own three
    assert review_queue(session=session, scope=OFFICE) == []
    jia = scope(session, "jia")
    queued = {i.submission.bureau_code for i in review_queue(session=session, scope=jia)}
    assert queued == set(CITIES["980100"])
    # who may review: not another city, not the county itself, not the office
    for name in ("yi", "jia-dong"):
        with pytest.raises(ReviewError, match="甲市质量技术监督局审核汇总"):
            accept_submission(
                session=session, submission_id=sids["980101"], reviewer=name,
                scope=scope(session, name),
            )  # fmt: skip
    with pytest.raises(ReviewError):
        accept_submission(session=session, submission_id=sids["980101"], reviewer="o", scope=OFFICE)
    session.rollback()

    # 甲市 returns 西县's report; 西县 corrects it; 甲市 accepts its three
    returned = return_submission(
        session=session, submission_id=sids["980102"], reviewer="jia", scope=jia,
        comment="检查企业数有误，请核实", working_days=2, now=at("2026-04-03", 15),
    )  # fmt: skip
    session.commit()
    assert returned.due == date(2026, 4, 8) and "/r/" in returned.link_url
    sids["980102"] = county_answers(session, "980102", at("2026-04-06", 9), makers_checked="20")
    for code in CITIES["980100"]:
        accept_submission(session=session, submission_id=sids[code], reviewer="jia", scope=jia)
    for code in CITIES["980200"]:
        accept_submission(
            session=session, submission_id=sids[code], reviewer="yi", scope=scope(session, "yi")
        )
    for code in ("980301", "980302"):  # 北县's answer is still awaiting 丙市's review
        accept_submission(
            session=session, submission_id=sids[code], reviewer="bing",
            scope=scope(session, "bing"),
        )  # fmt: skip
    session.commit()

    # the cities aggregate: computed as the office's summary computes, then submitted
    jia_report = relay_report(
        session=session, request_id=request_of(session, "980100", "aggregate").id
    )
    computed = {f.field.key: f.computed for f in jia_report.figures}
    assert computed == {"makers_checked": 24, "lots_tested": 60, "lots_failed": 3, "penalties": 1.5}
    assert [r.state for r in jia_report.reporters] == ["accepted"] * 3
    keys = ("makers_checked", "lots_tested", "lots_failed", "penalties")
    cities_values = {  # 乙市 one maker more than its counties; 丙市 without 北县
        city: dict(zip(keys, figures, strict=True))
        for city, figures in (
            ("980100", ("24", "60", "3", "1.5")),
            ("980200", ("16", "150", "3", "1.5")),
            ("980300", ("15", "150", "3", "1.0")),
        )
    }
    aggregate_ids = {c: request_of(session, c, "aggregate").id for c in CITIES}
    submitted = {}
    for city, name in (("980100", "jia"), ("980200", "yi"), ("980300", "bing")):
        args = dict(
            session=session, request_id=aggregate_ids[city], scope=scope(session, name),
            values=cities_values[city], now=at("2026-04-08", 10),
        )  # fmt: skip
        if city == "980200":  # one more maker than its counties: explained, or refused
            with pytest.raises(ReportInvalid, match="“检查生产企业数”填报16.*汇总15.*差异说明"):
                submit_for_account(**args)  # type: ignore[arg-type]
            args["note"] = "市局直接检查1家"
        if city == "980300":  # a county not yet accepted: said, and confirmed
            with pytest.raises(
                ReportInvalid, match="1个单位未纳入汇总：丙市北县质量技术监督局（待审核）"
            ):
                submit_for_account(**args)  # type: ignore[arg-type]
            args["confirm_missing"] = True
        with pytest.raises(AggregateRefused):  # another city's account never
            submit_for_account(
                **{**args, "scope": scope(session, "jia" if name != "jia" else "yi")}
            )  # type: ignore[arg-type]
        answer = submit_for_account(**args)  # type: ignore[arg-type]
        session.commit()
        submitted[city] = answer.submission.id
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "aggregate_submitted")).all()
    notes = {a.bureau_code: a.detail for a in audit}
    assert notes["980200"]["note"] == "市局直接检查1家"
    assert notes["980200"]["differences"] == {"makers_checked": ["15", "16"]}
    assert notes["980300"]["left_out"] == {"980303": "pending"}

    # the office reviews the cities' reports, and only those
    assert {i.submission.id for i in review_queue(session=session, scope=OFFICE)} == set(
        submitted.values()
    )
    for sid in submitted.values():
        accept_submission(session=session, submission_id=sid, reviewer="office", scope=OFFICE)
    accept_submission(  # 丙市 accepts 北县 late: detail under 丙市, not the province's totals
        session=session, submission_id=sids["980303"], reviewer="bing", scope=scope(session, "bing")
    )
    session.commit()

    compiled = compile_results(load_frames(session=session, campaign_id=campaign_id))
    totals = compiled.figures["monthly"].totals.set_index("field")["total"].to_dict()
    assert totals == {"makers_checked": 55, "lots_tested": 360, "lots_failed": 9, "penalties": 4.0}
    assert sorted(compiled.completeness_unit["unit"]) == sorted(CITIES)  # no county again
    assert int(compiled.completeness_overall["reported"].iloc[0]) == 3
    assert PROVINCE not in set(compiled.completeness_unit["unit"])


def test_chasing_goes_county_then_city_then_province(session: Session) -> None:
    """Nobody answers: each county is reminded itself, escalated to its city (never to the
    province); the province hears only of the cities' own overdue reports, later."""
    campaign_id = launch_routed(session, accounts=False)
    for day in ("2026-04-01", "2026-04-03", "2026-04-08", "2026-04-09", "2026-04-13"):
        run_tick(campaign_id=campaign_id, as_of=at(day))
    session.expire_all()
    rows = session.exec(
        select(AuditEvent).where(
            AuditEvent.event.in_(["reminder_sent", "escalation_sent"])  # type: ignore[attr-defined]
        )
    ).all()
    seen = sorted(  # the duty's chasing (not the directive's 签收)
        (r.at, r.event, r.bureau_code, r.detail.get("parent"))
        for r in rows
        if f":{DUTY}:" in r.detail["action"]
    )
    local = [(t.astimezone(SHANGHAI).date().isoformat(), e, b, p) for t, e, b, p in seen]
    county_reminders = [x for x in local if x[1] == "reminder_sent" and x[2] in COUNTIES]
    city_of = {c: city for city, codes in CITIES.items() for c in codes}
    to_cities = [x for x in local if x[1] == "escalation_sent" and x[2] in COUNTIES]
    to_province = [x for x in local if x[1] == "escalation_sent" and x[2] in CITIES]
    assert {x[0] for x in county_reminders} == {"2026-04-03", "2026-04-08"}
    assert len(county_reminders) == 18  # nine counties, twice
    assert {(x[0], x[2], x[3]) for x in to_cities} == {
        ("2026-04-08", c, city_of[c]) for c in COUNTIES
    }
    assert {(x[0], x[2], x[3]) for x in to_province} == {
        ("2026-04-13", c, PROVINCE) for c in CITIES
    }
    city_reminders = [x for x in local if x[1] == "reminder_sent" and x[2] in CITIES]
    assert {x[0] for x in city_reminders} == {"2026-04-09", "2026-04-13"}
    # one escalation notice per city, listing its three counties; one to the province
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.notice == "escalation")).all()
    sent = sorted((m.key.split(":")[1], m.bureau_code) for m in mail)
    assert sent == [*(("2026-04-08", c) for c in CITIES), ("2026-04-13", PROVINCE)]
    overdue = request_of(session, "980100", "aggregate")
    assert overdue.status == RequestStatus.overdue


def test_the_review_commands_act_as_an_account(sqlite_url: str) -> None:
    """`campaign review … --as USERNAME`: the account's queue and rights; without it, the
    office's (which holds no county of a routed duty)."""
    from typer.testing import CliRunner

    from campaign import db as dbmod
    from campaign.cli import app

    with Session(dbmod.get_engine(sqlite_url), expire_on_commit=False) as session:
        campaign_id = launch_routed(session)
        run_tick(campaign_id=campaign_id, as_of=at("2026-04-01"))
        sid = county_answers(session, "980101", at("2026-04-03", 10))
    runner = CliRunner()
    office = runner.invoke(app, ["review", "list", "--json"])
    assert office.exit_code == 0 and json.loads(office.stdout) == []
    jia = runner.invoke(app, ["review", "list", "--json", "--as", "jia"])
    assert [row["id"] for row in json.loads(jia.stdout)] == [sid]
    refused = runner.invoke(app, ["review", "accept", str(sid), "--as", "yi"])
    assert refused.exit_code == 1 and "由甲市质量技术监督局审核汇总" in refused.output
    unknown = runner.invoke(app, ["review", "accept", str(sid), "--as", "nobody"])
    assert unknown.exit_code == 2 and "没有启用的控制台账号" in unknown.output
    done = runner.invoke(app, ["review", "accept", str(sid), "--as", "jia"])
    assert done.exit_code == 0, done.output
    with Session(dbmod.get_engine(sqlite_url)) as session:
        row = session.get_one(ReportSubmission, sid)
        assert (row.review_status, row.reviewer) == ("accepted", "jia")


def test_reply_submit_records_a_city_aggregate_under_its_rules(sqlite_url: str) -> None:
    """`campaign reply submit` for a city's aggregate: the difference and the county left
    out refused, every problem named, nothing stored; with --note and --confirm-missing
    stored as the console stores it (aggregate_submitted)."""
    from typer.testing import CliRunner

    from campaign import db as dbmod
    from campaign.cli import app

    with Session(dbmod.get_engine(sqlite_url), expire_on_commit=False) as session:
        campaign_id = launch_routed(session)
        run_tick(campaign_id=campaign_id, as_of=at("2026-04-01"))
        sid = county_answers(session, "980101", at("2026-04-03", 10))
        accept_submission(
            session=session, submission_id=sid, reviewer="jia", scope=scope(session, "jia")
        )
        session.commit()
    command = [
        "reply", "submit", str(campaign_id), "--bureau", "980100", "--duty", DUTY,
        "--period", "2026-03", "--no-interactive", "--no-send",
        "--value", "makers_checked=2", "--value", "lots_tested=10",
        "--value", "lots_failed=1", "--value", "penalties=0.5",
    ]  # fmt: skip
    runner = CliRunner()
    refused = runner.invoke(app, command)
    assert refused.exit_code != 0
    assert "“检查生产企业数”填报2，与下级审核通过数据的汇总1不一致" in refused.output
    assert "--confirm-missing: 尚有2个单位未纳入汇总" in refused.output
    done = runner.invoke(app, [*command, "--note", "市局直接检查1家", "--confirm-missing"])
    assert done.exit_code == 0, done.output
    with Session(dbmod.get_engine(sqlite_url)) as session:
        row = session.exec(
            select(ReportSubmission).where(ReportSubmission.bureau_code == "980100")
        ).one()
        assert (row.channel, row.values["makers_checked"]) == ("cli", "2")
        audit = session.exec(
            select(AuditEvent).where(AuditEvent.event == "aggregate_submitted")
        ).one()
        assert audit.detail["left_out"] == {"980102": "missing", "980103": "missing"}
