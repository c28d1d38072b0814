"""Migration 0025 on both databases: orders stored before it (open, reported done, closed)
become report requests with the same meaning, and come back on a downgrade."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from campaign.acceptance.state import OrderState, orders_of
from campaign.db import MIGRATIONS_DIR, get_engine

OLD_ORDER = text(
    "INSERT INTO rectification_order (campaign_id, number, bureau_code, what, deadline, status,"
    " ordered_by, ordered_at, reported_at, report, closed_at, closed_by) VALUES (:campaign,"
    " :number, :unit, :what, :deadline, :status, '协调员', :ordered, :reported, :report,"
    " :closed, :closed_by)"
)


@pytest.fixture
def alembic(db_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = get_engine(db_url)
    return config


def test_orders_stored_before_0025_become_requests(session, hubei_campaign, alembic, db_url):
    moment = datetime(2007, 11, 22, 2, 0, tzinfo=UTC)
    later = datetime(2007, 12, 3, 2, 0, tzinfo=UTC)
    command.downgrade(alembic, "0022")
    try:
        with get_engine(db_url).begin() as connection:
            for number, unit, status in ((1, "420200", "open"), (2, "420300", "reported"),
                                         (3, "420500", "closed")):  # fmt: skip
                connection.execute(OLD_ORDER, {
                    "campaign": hubei_campaign, "number": number, "unit": unit,
                    "what": f"事项{number}", "deadline": date(2007, 11, 30), "status": status,
                    "ordered": moment, "reported": None if status == "open" else later,
                    "report": "" if status == "open" else "已整改",
                    "closed": later if status == "closed" else None,
                    "closed_by": "张三" if status == "closed" else "",
                })  # fmt: skip
        command.upgrade(alembic, "head")
        session.expire_all()
        views = orders_of(session, hubei_campaign)
        today = date(2007, 12, 4)
        assert [(v.order.number, v.request.period_label, v.state(today)) for v in views] == [
            (1, "整改通知第1号", OrderState.overdue),
            (2, "整改通知第2号", OrderState.reported),
            (3, "整改通知第3号", OrderState.closed),
        ]
        reported, closed = views[1].latest, views[2].latest
        assert reported is not None and closed is not None and views[0].latest is None
        assert (reported.narrative, reported.late, reported.review_status) == (
            "已整改", True, "pending")  # fmt: skip
        assert (closed.reviewer, closed.review_status) == ("张三", "accepted")
        assert views[2].request.due_date == date(2007, 11, 30)
        session.rollback()
        command.downgrade(alembic, "0022")  # and back: the old columns say the same
        with get_engine(db_url).connect() as connection:
            rows = connection.execute(
                text("SELECT number, status, report, closed_by FROM rectification_order"
                     " ORDER BY number")
            ).all()  # fmt: skip
        assert [tuple(r) for r in rows] == [(1, "open", "", ""), (2, "reported", "已整改", ""),
                                            (3, "closed", "已整改", "张三")]  # fmt: skip
    finally:
        command.upgrade(alembic, "head")
