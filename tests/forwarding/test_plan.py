"""document.forward in the plan: checked with field and line; refused at launch when no
unit at its level has units below."""

from __future__ import annotations

import pytest
import yaml
from sqlmodel import Session

from campaign.orchestration.launch import UnitsUnmatched
from campaign.plan import parse_plan
from forwarding.world import UNITS, add_units, forwarding_plan
from tests.support.hubei import launch_plan


def _problems(**forward: object) -> list[str]:
    result = parse_plan(forwarding_plan(**forward))
    assert result.plan is None
    return [str(p) for p in result.problems]


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "en")


def test_the_plan_reads_forwarding() -> None:
    plan = parse_plan(forwarding_plan()).plan
    assert plan is not None and plan.document.forward is not None
    assert (plan.document.forward.by, plan.document.forward.within.working_days) == ("city", 3)


def test_a_bad_forwarding_is_named_with_its_field_and_line() -> None:
    unknown_level = _problems(by="town", within={"working_days": 3})
    assert any("document.forward.by" in p and "line" in p for p in unknown_level), unknown_level
    both = _problems(by="city", within={"days": 3, "working_days": 3})
    assert any("document.forward.within" in p for p in both), both
    missing = _problems(by="city")
    assert any("document.forward.within" in p for p in missing), missing


def test_launch_refuses_forwarding_by_a_level_without_units_below(session: Session) -> None:
    add_units(session, tuple(u for u in UNITS if u[3] != "county"))
    with pytest.raises(UnitsUnmatched) as refused:
        launch_plan(session, forwarding_plan(), "forwarding plan")
    assert "document.forward.by" in str(refused.value)
    data = yaml.safe_load(forwarding_plan())
    assert data["document"]["forward"]["by"] == "city"
