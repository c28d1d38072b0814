"""`campaign worker`: one process that runs the scheduled ticks of every active campaign.

It serves the launch deployment, the outbox's delivery every few minutes
(deployments/outbox.py), and each active or paused campaign's tick deployment (paused ones
stay paused), and every `refresh_seconds` picks up campaigns launched since.
Runs execute in subprocesses started by Prefect's Runner.
"""

from __future__ import annotations

import anyio
from sqlmodel import col, select

from campaign.db import session_scope
from deployments.campaigns import launch_deployment, tick_deployment
from deployments.outbox import outbox_deployment
from models.campaign import Campaign, CampaignStatus

SERVED_STATUSES = (CampaignStatus.active, CampaignStatus.paused)


def campaigns_to_serve() -> list[Campaign]:
    with session_scope() as session:
        query = select(Campaign).where(col(Campaign.status).in_(SERVED_STATUSES))
        return list(session.exec(query.order_by(col(Campaign.id))).all())


async def serve_campaigns(*, refresh_seconds: float, limit: int | None = None) -> None:
    from prefect.runner import Runner

    runner = Runner(name="campaign-worker", pause_on_shutdown=False, limit=limit)
    await runner.aadd_deployment(launch_deployment())
    await runner.aadd_deployment(outbox_deployment())
    served: set[int] = set()

    async def add_new_campaigns() -> None:
        for campaign in campaigns_to_serve():
            if campaign.id not in served:
                await runner.aadd_deployment(tick_deployment(campaign))
                served.add(campaign.id)  # type: ignore[arg-type]
                print(f"serving campaign {campaign.id}: {campaign.document_number}", flush=True)

    await add_new_campaigns()
    async with anyio.create_task_group() as group:
        group.start_soon(runner.start)
        while True:
            await anyio.sleep(refresh_seconds)
            await add_new_campaigns()
