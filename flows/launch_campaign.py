"""The `launch-campaign` flow: launch a plan from the Prefect UI (a path or pasted YAML).

An invalid plan fails the run with the same problems `campaign validate` lists.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger

from campaign.db import session_scope
from campaign.orchestration.launch import launch_campaign, read_plan_argument, validated_plan
from campaign.settings import get_settings
from campaign.workdays import WorkCalendar
from models.audit import Channel


@flow(name="launch-campaign")
def launch_campaign_flow(plan: str) -> dict[str, Any]:
    """Validate and launch the plan (a file path on the worker, or the YAML text)."""
    from deployments.campaigns import deploy_campaign

    logger = get_run_logger()
    raw, source = read_plan_argument(plan)
    loaded, text = validated_plan(raw, source)
    with session_scope() as session:
        campaign = launch_campaign(
            session=session,
            plan=loaded,
            plan_text=text,
            source=source,
            work=WorkCalendar.from_file(get_settings().holidays_file),
            actor="prefect-ui",
            channel=Channel.api,
        )
    deployment_id = deploy_campaign(campaign)
    logger.info("launched campaign %s: %s", campaign.id, campaign.document_number)
    return {
        "id": campaign.id,
        "document_number": campaign.document_number,
        "deployment_id": str(deployment_id) if deployment_id else None,
    }
