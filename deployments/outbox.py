"""The outbox's own schedule: `send-mail/outbox` delivers whatever the outbox holds every
few minutes, whatever the state of the campaign the mail belongs to.

Ticks and the web process deliver right after they queue mail; this deployment is the
backstop that needs no person and no tick: mail of a tick killed while delivering (its
claim is taken over), of a campaign completed, paused or cancelled since, or deferred
after a 4xx. `campaign worker` serves it beside the ticks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

OUTBOX_DEPLOYMENT = "outbox"
DELIVERY_INTERVAL = timedelta(minutes=5)


def outbox_deployment(interval: timedelta = DELIVERY_INTERVAL) -> RunnerDeployment:
    from prefect.deployments.runner import EntrypointType, RunnerDeployment
    from prefect.schedules import Interval

    from flows.mail import send_mail

    return RunnerDeployment.from_flow(
        flow=send_mail,
        name=OUTBOX_DEPLOYMENT,
        schedules=[Interval(interval)],
        description="Deliver the mail outbox (pending, deferred, or left by a dead sender).",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
