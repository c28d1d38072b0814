"""report_request.relay_to on a migrated test database, until migration 0023 (the `routing`
branch) lands: the column, its foreign key and index added when missing; a no-op after.

The integrator removes this module and its two calls in tests/conftest.py when merging
migration 0023."""

from __future__ import annotations

from sqlalchemy import inspect, text

from campaign import db as dbmod


def ensure_relay_column(url: str) -> None:
    engine = dbmod.get_engine(url)
    columns = {c["name"] for c in inspect(engine).get_columns("report_request")}
    if "relay_to" in columns:
        return
    with engine.begin() as conn:
        conn.execute(
            text(
                "ALTER TABLE report_request ADD COLUMN relay_to VARCHAR(32) "
                "REFERENCES bureau (code)"
            )
        )
        conn.execute(text("CREATE INDEX ix_report_request_relay_to ON report_request (relay_to)"))
