"""Send the outbox: one task per batch run over one SMTP connection (not a task per message).

Thin orchestration over campaign.mail.sender.send_pending. The task retries only when
the SMTP server is unreachable (I/O), with growing delays; per-message outcomes live in
the outbox table and show as a table artifact.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact

from campaign.mail.errors import SmtpUnavailable
from campaign.mail.sender import send_pending


def _server_unreachable(_task: Any, _run: Any, state: Any) -> bool:
    """Retry only when the SMTP server could not be reached."""
    try:
        state.result()
    except SmtpUnavailable:
        return True
    except Exception:  # noqa: BLE001  any other failure is not worth retrying
        return False
    return False


@task(retries=3, retry_delay_seconds=[10, 60, 300], retry_condition_fn=_server_unreachable)
def send_outbox(
    limit: int | None = None, batch_size: int = 100, url: str | None = None
) -> dict[str, Any]:
    """Send pending messages; returns counts and the problems met (message id, reason)."""
    report = send_pending(url=url, limit=limit, batch_size=batch_size)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "retrying": report.retrying,
        "recovered": report.recovered,
        "seconds": round(report.seconds, 3),
        "problems": report.problems,
    }


@flow(name="send-mail", log_prints=False)
def send_mail(limit: int | None = None, batch_size: int = 100, url: str | None = None) -> dict:
    """Flow wrapper for a deployment or the tick: send the outbox now."""
    result = send_outbox(limit=limit, batch_size=batch_size, url=url)
    get_run_logger().info(
        "mail: %(sent)s sent, %(failed)s failed, %(retrying)s to retry, "
        "%(recovered)s recovered in %(seconds)ss",
        result,
    )
    if result["problems"]:
        create_table_artifact(
            key="mail-problems",
            table=[{"message": mid, "problem": reason} for mid, reason in result["problems"]],
            description="Messages not sent in this run (failed or to retry).",
        )
    return result
