"""`campaign status --as-of T`: each unit as it stood at T."""

from __future__ import annotations

from datetime import UTC, datetime

from campaign.orchestration.status import campaign_standing
from tests.results.db_fixture import store_fixture


def test_reports_not_yet_due_at_as_of_are_not_late(session):
    campaign_id = store_fixture(session)
    # the 15th: period 1 due on the 12th, period 2 on the 19th (丙局's is "overdue" now)
    standing = campaign_standing(
        session=session, campaign_id=campaign_id, as_of=datetime(2026, 1, 15, 4, tzinfo=UTC)
    )
    by_name = {b.name: b for b in standing.bureaus}
    assert by_name["丙局"].late == ["动态信息 第1周"]  # returned, past its due date
    assert by_name["丙局"].outstanding == ["动态信息 第2周"]  # overdue now, not on the 15th
    # answered on the 19th: outstanding on the 15th, not yet done
    assert by_name["甲局"].outstanding == ["动态信息 第2周"]
    assert by_name["甲局"].done == ["动态信息 第1周"]


def test_a_report_overdue_at_as_of_is_late(session):
    campaign_id = store_fixture(session)
    standing = campaign_standing(
        session=session, campaign_id=campaign_id, as_of=datetime(2026, 1, 25, 4, tzinfo=UTC)
    )
    by_name = {b.name: b for b in standing.bureaus}
    assert by_name["丙局"].late == ["动态信息 第1周", "动态信息 第2周"]
    assert by_name["甲局"].done == ["动态信息 第1周", "动态信息 第2周 (迟报)"]


def test_requests_opened_after_as_of_are_not_listed(session):
    campaign_id = store_fixture(session)
    standing = campaign_standing(
        session=session, campaign_id=campaign_id, as_of=datetime(2026, 1, 8, 4, tzinfo=UTC)
    )
    assert standing.reports_expected == 3  # period 1 only
    assert {b.name for b in standing.bureaus} == {"甲局", "乙局", "丙局"}
