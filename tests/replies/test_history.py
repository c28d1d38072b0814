"""Earlier answers: how the bureau's last accepted report is looked up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from campaign.replies.history import last_accepted
from replies.factories import World


def test_the_last_accepted_report_is_read_through_the_bureau_index(
    lite_session: Session, lite_world: World
) -> None:
    """SQLite, without statistics, would take the campaign's index on report_submission:
    every answer of the campaign read for each answer (15 ms per answer at 300 units)."""
    plan = lite_world.plan
    form = plan.form(plan.duty(lite_world.request.duty_key).form or "")
    seen: list[tuple[str, Any]] = []
    engine = lite_session.get_bind()

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "report_submission" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        last_accepted(session=lite_session, plan=plan, form=form, request=lite_world.request)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    [(statement, parameters)] = seen
    cursor = lite_session.connection().connection.cursor()
    steps = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
    assert "SEARCH report_submission USING INDEX ix_report_submission_bureau_code" in steps[0]
