"""Summaries by level on the hand-computed three-level fixture (tests/results/
levels_fixture.py), loaded from SQLite and PostgreSQL."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlmodel import select

from campaign.plan.stored import plan_of
from campaign.results.compile import compile_results
from campaign.results.digest import period_digest, queue_digests, relay_digest
from campaign.results.levels import level_rows
from campaign.results.load import load_frames
from campaign.results.workbook import write_workbook
from models.campaign import Campaign
from models.outbox import OutboxMessage
from tests.results.levels_fixture import (
    COUNTY_SUMS,
    PERIOD,
    PROVINCE_TOTAL,
    TODAY,
    store_levels,
)


def _compiled(session):  # type: ignore[no-untyped-def]
    campaign_id = store_levels(session)
    return compile_results(load_frames(session=session, campaign_id=campaign_id), today=TODAY)


def test_the_province_total_counts_each_county_once_through_its_city(session):
    compiled = _compiled(session)
    figures = compiled.figures["progress"]
    totals = figures.totals.set_index("field")
    assert totals.loc["inspections", "total"] == PROVINCE_TOTAL  # 60 + 15, not 153
    assert list(figures.by_unit["name"]) == ["甲市局", "乙市局", "丙市局"]  # top level only
    # the office's completeness: the cities' own reports (丙市 missing), no county
    assert list(compiled.completeness_unit["missing"]) == [0, 0, 1]
    assert list(compiled.missing_reports["name"]) == ["丙市局"]


def test_under_each_city_its_counties_their_sum_and_the_difference(session):
    levels = _compiled(session).levels
    figures = levels.figures["progress"]
    sums = figures.sums.set_index("unit")["inspections"].to_dict()
    assert sums == COUNTY_SUMS  # 丙二 awaiting review: not summed; 乙二's returned 99 neither
    difference = figures.difference.set_index("unit")["inspections"]
    assert difference["100"] == 0 and difference["200"] == 3
    assert difference.isna()["300"]  # 丙市 has not submitted
    assert figures.words["100"] == []
    assert figures.words["200"] == ["检查企业数：本级上报15家次，所辖单位合计12家次，多3家次"]
    assert "尚无审核通过的本级汇总报告" in figures.words["300"][0]
    rows = level_rows(levels, "progress")
    assert [(r["kind"], r["name"]) for r in rows[:5]] == [
        ("relay", "甲市局"),
        ("detail", "甲一县局"),
        ("detail", "甲二县局"),
        ("detail", "甲三县局"),
        ("sum", "甲市局所辖单位合计"),
    ]
    assert [r["values"][0] for r in rows if r["unit"] == "202"] == [7]


def test_each_citys_completeness_counts_its_counties_and_its_own_report(session):
    relays = _compiled(session).levels.relays.set_index("unit")
    columns = ["units", "owed", "reported", "on_time", "late", "missing", "pending"]
    assert relays.loc["100", columns].tolist() == [3, 3, 3, 2, 1, 0, 0]
    assert relays.loc["200", columns].tolist() == [3, 3, 2, 1, 1, 1, 0]  # 乙三 未报
    assert relays.loc["300", columns].tolist() == [3, 3, 3, 3, 0, 0, 1]  # 丙二 待审核
    own = relays["own_text"].tolist()
    assert own == ["已报1/应报1", "已报1/应报1（迟报1）", "已报0/应报1（未报1）"]


def test_the_workbook_drills_down_province_city_county(session, tmp_path):
    path = write_workbook(_compiled(session), tmp_path / "levels.xlsx")
    book = load_workbook(path)
    ws = book["逐级汇总"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    by_name = {r[1]: r for r in rows if r[1]}
    assert by_name["甲市局"][:3] == ["本级上报", "甲市局", 60]
    assert by_name["　　甲二县局"][:3] == ["下级", "　　甲二县局", 20]
    assert by_name["乙市局所辖单位合计"][2] == 12
    assert by_name["乙市局差额"][2] == 3
    assert "多3家次" in by_name["乙市局"][-1]
    assert by_name["合计"][2] == PROVINCE_TOTAL
    county_rows = [i for i, r in enumerate(rows, 4) if r[0] == "下级"]
    assert all(ws.row_dimensions[i].outline_level == 1 for i in county_rows)
    relays = [[c.value for c in r] for r in book["逐级报送情况"].iter_rows(min_row=4, max_row=6)]
    assert relays[1][:8] == ["乙市局", "已报1/应报1（迟报1）", 3, 3, 2, 1, 1, 1]


def test_the_office_digest_lists_cities_and_each_city_gets_its_counties(session):
    campaign_id = store_levels(session)
    frames = load_frames(session=session, campaign_id=campaign_id)
    office = period_digest(frames, "weekly", PERIOD[0], TODAY)
    assert (office.on_time, office.late, office.missing) == (["甲市局"], ["乙市局"], ["丙市局"])
    assert [
        (row["name"], row["on_time"], row["late"], row["missing"]) for row in office.levels
    ] == [
        ("甲市局", 2, 1, 0),
        ("乙市局", 1, 1, 1),
        ("丙市局", 3, 0, 0),
    ]
    city = relay_digest(frames, "weekly", PERIOD[0], TODAY, "200")
    assert (city.relay, city.on_time, city.late, city.missing) == (
        "乙市局",
        ["乙一县局"],
        ["乙二县局"],
        ["乙三县局"],
    )
    totals = {t["field"]: t["total"] for t in city.period_totals}
    assert totals["inspections"] == "12"  # its accepted counties


def test_digests_queued_per_city_keyed_once(session):
    campaign_id = store_levels(session)
    campaign = session.get(Campaign, campaign_id)
    plan = plan_of(campaign)
    queued = queue_digests(session=session, campaign=campaign, plan=plan, today=TODAY)
    key = f"digest:weekly:{PERIOD[0]}"
    assert sorted(queued) == sorted([key, f"{key}@100", f"{key}@200", f"{key}@300"])
    assert queue_digests(session=session, campaign=campaign, plan=plan, today=TODAY) == []
    session.commit()
    mails = {m.bureau_code: m for m in session.exec(select(OutboxMessage)).all()}
    assert set(mails) == {"000", "100", "200", "300"}
    city = mails["200"]
    assert city.to_addrs[0]["email"] == "c200@example.org"
    assert city.subject.startswith("【报送情况】所辖单位动态信息")
    assert "未报（1个）：乙三县局" in city.text_body and "甲一县局" not in city.text_body
    office = mails["000"].text_body
    assert (
        "乙市局：本级汇总报告已报1/应报1（迟报1）；所辖3个单位，按时1个，迟报1个，未报1个" in office
    )
