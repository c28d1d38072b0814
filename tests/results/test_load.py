"""The loader on SQLite and PostgreSQL: the same results as the hand-made frames, in a
fixed number of queries."""

from __future__ import annotations

from sqlalchemy import event

from campaign.results.compile import compile_results
from campaign.results.load import load_frames
from tests.results.db_fixture import store_fixture
from tests.results.fixture import TODAY, frames


def test_loaded_results_equal_the_hand_computed_ones(session):
    campaign_id = store_fixture(session)
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        loaded = load_frames(session=session, campaign_id=campaign_id)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) <= 4  # the campaign, then one query per table: no N+1
    got = compile_results(loaded, today=TODAY)
    want = compile_results(frames(), today=TODAY)
    assert got.figures["progress"].by_unit.equals(want.figures["progress"].by_unit)
    assert got.completeness_unit.equals(want.completeness_unit)
    assert got.targets_overall.equals(want.targets_overall)
    assert got.ranking["name"].tolist() == ["甲局", "乙局", "丁局", "丙局"]
    assert got.notes == want.notes
    assert got.narratives.equals(want.narratives)


def test_an_unknown_campaign_is_said_in_chinese(session):
    import pytest

    with pytest.raises(LookupError, match="找不到编号为 99 的工作方案"):
        load_frames(session=session, campaign_id=99)
