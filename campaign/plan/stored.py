"""The plan of a launched campaign, as stored (amendments included), parsed once per version."""

from __future__ import annotations

from functools import lru_cache

from campaign.plan.load import PlanError, parse_plan
from campaign.plan.schema import Plan
from models.campaign import Campaign


def plan_of(campaign: Campaign) -> Plan:
    return _parse_stored(campaign.plan_sha256, campaign.plan_yaml)


@lru_cache(maxsize=32)
def _parse_stored(sha256: str, text: str) -> Plan:
    result = parse_plan(text.encode("utf-8"))
    if result.plan is None:
        raise PlanError(f"stored plan {sha256[:12]}", result.problems)
    return result.plan
