"""The Fujian 2017 plan (a task breakdown for the bureau's own 处室 and 直属单位)."""

from __future__ import annotations

from sqlmodel import Session

from campaign.bureaus import import_bureau_csv
from tests.support.hubei import EXAMPLES, launch_plan

FUJIAN_PLAN = EXAMPLES / "fujian-2017.yaml"
FUJIAN_UNITS = EXAMPLES / "units-fujian-2017.csv"


def launch_fujian(session: Session) -> int:
    """Import the Fujian registry and launch the plan; returns the campaign id (committed)."""
    import_bureau_csv(session=session, raw=FUJIAN_UNITS.read_bytes())
    campaign_id = launch_plan(session, FUJIAN_PLAN.read_bytes(), str(FUJIAN_PLAN))
    session.commit()
    return campaign_id
