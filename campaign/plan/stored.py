"""The plan of a launched campaign, as stored (amendments included), parsed once per version.

A campaign row carries the plan's text and its SHA-256; plans are cached by that hash, so
a campaign loaded without its text (`deferred(Campaign.plan_yaml)`, as the reply links
load it) reads the text only the first time its version is seen.
"""

from __future__ import annotations

import threading

from campaign.plan.load import PlanError, parse_plan
from campaign.plan.schema import Plan
from models.campaign import Campaign

CACHED_PLANS = 64
_plans: dict[str, Plan] = {}
_lock = threading.Lock()


def plan_of(campaign: Campaign) -> Plan:
    plan = _plans.get(campaign.plan_sha256)
    if plan is None:
        plan = _parse_stored(campaign.plan_sha256, campaign.plan_yaml)
        with _lock:
            if len(_plans) >= CACHED_PLANS:
                _plans.pop(next(iter(_plans)))
            _plans[campaign.plan_sha256] = plan
    return plan


def _parse_stored(sha256: str, text: str) -> Plan:
    result = parse_plan(text.encode("utf-8"))
    if result.plan is None:
        raise PlanError(f"stored plan {sha256[:12]}", result.problems)
    return result.plan
