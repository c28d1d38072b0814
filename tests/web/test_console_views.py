"""The console's dashboard as plain functions, on SQLite and PostgreSQL, against the
hand-made fixture (tests/web/console_fixture.py): matrix states, rates, filters, paging,
targets as the 汇总表 computes them, laggards by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlmodel import Session

from campaign.results.compile import compile_results
from campaign.results.load import load_frames
from campaign.web.console_matrix import MatrixQuery
from campaign.web.console_views import dashboard_context
from models.request import ReportRequest, RequestStatus
from models.submission import ReportSubmission
from tests.web.console_fixture import (
    EVIL,
    EXPECTED,
    PENDING,
    PERIODS,
    TODAY,
    add_request,
    add_units,
    store_console_fixture,
)


def _dashboard(session: Session, campaign_id: int, **query: object) -> dict:  # type: ignore[type-arg]
    context = dashboard_context(
        session=session, campaign_id=campaign_id, today=TODAY, query=MatrixQuery(**query)
    )
    assert context is not None
    return context


def _cells(context: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    return {
        row["code"]: [c["state"] for c in row["cells"]]
        for group in context["matrix"]["groups"]
        for row in group["rows"]
    }


def test_matrix_states_rates_and_groups(session: Session) -> None:
    campaign_id = store_console_fixture(session)
    context = _dashboard(session, campaign_id)
    grid = context["matrix"]
    assert [p.label for p in grid["periods"]] == ["第1周", "第2周", "第3周"]
    assert _cells(context) == EXPECTED
    pending = {
        (row["code"], p.key)
        for group in grid["groups"]
        for row in group["rows"]
        for p, c in zip(grid["periods"], row["cells"], strict=True)
        if c["pending"]
    }
    assert pending == PENDING
    assert [(g["name"], [r["name"] for r in g["rows"]]) for g in grid["groups"]] == [
        ("第一上级局", ["甲局", "乙局", "丙局"]),
        ("第二上级局", ["丁局", EVIL]),
    ]
    # 第1周: owed 4 (丁局 not asked), reported 2 (甲 on time, 乙 pending) → 50%
    first, second, third = grid["periods"]
    assert (first.counts.owed, first.counts.reported, first.counts.rate) == (4, 2, 50.0)
    assert (second.counts["late"], second.counts["missing"], second.counts.rate) == (1, 3, 40.0)
    assert (third.counts.owed, third.counts["not_due"], third.counts.rate) == (1, 4, 100.0)
    overall = context["overall"]
    assert (overall.owed, overall["on_time"], overall["late"]) == (10, 4, 1)
    assert (overall["missing"], overall["returned"], overall["not_due"]) == (4, 1, 4)
    rates = {r["name"]: r["counts"].rate for g in grid["groups"] for r in g["rows"]}
    assert rates == {"甲局": 100.0, "乙局": 50.0, "丙局": 33.3, "丁局": 100.0, EVIL: 0.0}


def test_targets_are_the_workbooks_and_laggards_are_named(session: Session) -> None:
    campaign_id = store_console_fixture(session)
    context = _dashboard(session, campaign_id)
    compiled = compile_results(load_frames(session=session, campaign_id=campaign_id), today=TODAY)
    want = compiled.targets_overall
    got = pd.DataFrame([{k: t[k] for k in want.columns} for t in context["targets"]])
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    license_rate = context["targets"][0]
    assert (license_rate["units_met"], license_rate["units_not_met"]) == (1, 1)
    assert license_rate["no_data_count"] == 3 and license_rate["goal"] == "≥90%"
    assert [(r["name"], r["reasons"]) for r in context["laggards"]] == [
        ("丙局", "未报1期；退回待重报1期"),
        (EVIL, "未报2期"),
        ("乙局", "未报1期"),
        ("甲局", "迟报1次；未达标：检查企业"),  # 5 家次 < 10, as the 汇总表 says per unit
        ("丁局", "未达标：获证率、检查企业"),
    ]


def test_filters_by_parent_state_and_name(session: Session) -> None:
    campaign_id = store_console_fixture(session)

    def names(**query: object) -> list[str]:
        grid = _dashboard(session, campaign_id, **query)["matrix"]
        return [r["name"] for g in grid["groups"] for r in g["rows"]]

    assert names(parent="100") == ["丁局", EVIL]
    assert names(state="missing") == ["乙局", "丙局", EVIL]
    assert names(state="late") == ["甲局"]
    assert names(state="returned") == ["丙局"]
    assert names(state="behind") == ["甲局", "丁局"]
    assert names(state="complete") == ["丁局"]
    assert names(state="laggard") == ["甲局", "乙局", "丙局", "丁局", EVIL]
    assert names(name="script") == [EVIL]
    assert names(parent="000", state="missing") == ["乙局", "丙局"]
    assert names(name="没有这个单位") == []


def test_paging_on_the_server(session: Session) -> None:
    campaign_id = store_console_fixture(session)
    extra = [(f"2{i:02d}", f"增补{i:02d}局", "100") for i in range(1, 46)]
    add_units(session, extra)
    for code, _name, _parent in extra:
        add_request(session, campaign_id, code, PERIODS[0], ("overdue", False, None, {}))
    session.commit()
    first = _dashboard(session, campaign_id, per_page=20)["matrix"]
    assert (first["found"], first["pages"], first["page"]) == (50, 3, 1)
    assert sum(len(g["rows"]) for g in first["groups"]) == 20
    assert first["next_link"] == "?duty=weekly&page=2&per_page=20" and first["prev_link"] == ""
    last = _dashboard(session, campaign_id, per_page=20, page=99)["matrix"]  # clamped
    rows = [r["name"] for g in last["groups"] for r in g["rows"]]
    assert last["page"] == 3 and rows == [f"增补{i:02d}局" for i in range(36, 46)]
    assert [g["name"] for g in last["groups"]] == ["第二上级局"]
    assert last["next_link"] == "" and last["prev_link"] == "?duty=weekly&page=2&per_page=20"


def test_query_string_is_read_safely() -> None:
    query = MatrixQuery.read(
        {"page": "-3", "per_page": "7", "state": "hacked", "name": "  甲 ", "parent": "000"}
    )
    assert query == MatrixQuery(parent="000", name="甲", page=1, per_page=50)
    assert MatrixQuery.read({"page": "99999999999"}).page == 1


def test_the_queue_counts_reports_sent_unasked(session: Session) -> None:
    campaign_id = store_console_fixture(session)
    assert _dashboard(session, campaign_id)["pending"] == 2  # 乙局 第1周, 丙局 第3周
    request = ReportRequest(
        campaign_id=campaign_id,
        duty_key="urgent",
        period_key="ad-hoc-1",
        period_label="重大情况（1月20日）",
        bureau_code="004",
        kind="ad_hoc",
        status=RequestStatus.submitted,
        answered_at=datetime(2026, 1, 20, tzinfo=UTC),
    )
    session.add(request)
    session.flush()
    session.add(
        ReportSubmission(
            request_id=request.id,  # type: ignore[arg-type]
            campaign_id=campaign_id,
            bureau_code="004",
            version=1,
            values={},
            narrative="发现重大质量问题",
            channel="web",
            late=False,
        )
    )
    session.commit()
    context = _dashboard(session, campaign_id)
    assert context["pending"] == 3
    assert context["queue"][0]["bureau"] == "丁局" and context["queue"][0]["type"] == "重大情况"
    assert _cells(context) == EXPECTED  # not a period of the matrix
