"""What a tick shows in the Prefect UI: a status table and progress per campaign.

Artifact keys are lowercase-dashed and stable per campaign, so each tick adds a new
version of the same artifact; they carry the installation's id (a short hash of its
database URL), so two installations sharing one Prefect server never write the same key.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
)
from prefect.client.orchestration import get_client
from prefect.exceptions import PrefectHTTPStatusError
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

from campaign.clock import local_date
from campaign.db import session_scope
from campaign.orchestration.status import campaign_standing, done_per_bureau, tick_table
from campaign.results.compile import compile_results
from campaign.results.load import load_frames
from campaign.results.markdown import standing_markdown, summary_markdown
from campaign.results.summary import summary_result
from campaign.settings import get_settings
from models.campaign import Campaign
from models.summary import CampaignSummary


def installation_id() -> str:
    """8 hex digits naming this installation: a hash of its application database's URL."""
    url = get_settings().resolved_database_url
    return hashlib.sha256(url.encode()).hexdigest()[:8]


def artifact_key(campaign_id: int, *parts: str) -> str:
    """campaign-3f2a9c01-7-status, campaign-3f2a9c01-7-summary-stage-summary-market-access."""
    text = "-".join(["campaign", installation_id(), str(campaign_id), *parts]).lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text)).strip("-")


WRITE_ATTEMPTS = 4


def write_version(
    create: Callable[..., Any], *, key: str, description: str, **content: Any
) -> None:
    """Add one version to artifact `key`, keyed by its description (which names the tick).

    The Prefect client retries a create whose answer it did not read, and the server may
    have stored it already: that is how one tick got two progress versions. So the create
    itself runs without client retries, and before every attempt the latest version is
    read back; when it already carries this description, the write has happened.
    """
    for attempt in range(WRITE_ATTEMPTS):
        if latest_description(key) == description:
            return
        try:
            with temporary_settings({PREFECT_CLIENT_MAX_RETRIES: 0}):
                create(key=key, description=description, **content)
            return
        except (httpx.HTTPError, PrefectHTTPStatusError):
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(0.5 * 2**attempt)


def version_descriptions(key: str, limit: int = 1) -> list[str | None]:
    """The descriptions of the newest `limit` versions of `key`, newest first, whatever
    run or task wrote them.

    Sent without run filters: the client's read_artifacts sends them as null, which the
    server refuses, and empty ones would join away versions written outside a task."""
    body = {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": limit}
    with get_client(sync_client=True) as client:
        response = client.request("POST", "/artifacts/filter", json=body)
    response.raise_for_status()
    return [version.get("description") for version in response.json()]


def latest_description(key: str) -> str | None:
    return next(iter(version_descriptions(key)), None)


def publish_tick(*, campaign_id: int, as_of: datetime, outcomes: list[dict[str, Any]]) -> None:
    with session_scope() as session:
        standing = campaign_standing(session=session, campaign_id=campaign_id, as_of=as_of)
    title = f"{standing.document_number} {standing.today.isoformat()}"
    write_version(
        create_table_artifact,
        table=tick_table(standing, done_per_bureau(outcomes)),
        key=artifact_key(campaign_id, "status"),
        description=f"**{title}**: 本次办理 {sum(len(o['done']) for o in outcomes)} 项；"
        f"已收报告 {standing.reports_received}/{standing.reports_expected}",
    )
    write_version(
        create_progress_artifact,
        progress=standing.timeline_percent,
        key=artifact_key(campaign_id, "progress"),
        description=f"{title}: 时间进度 {standing.timeline_percent}%；已收报告 "
        f"{standing.reports_received}/{standing.reports_expected} "
        f"({standing.reports_percent}%)",
    )


def publish_summary(*, campaign_id: int, summary_id: int) -> None:
    """One version of a summary's markdown artifact (keyed by the summary, described by
    its version)."""
    with session_scope() as session:
        summary = session.get(CampaignSummary, summary_id)
        if summary is None:
            raise LookupError(f"no summary {summary_id}")
        result, key, version = dict(summary.result), summary.key, summary.version
        changes = list(summary.changes)
    reports = result.get("reports", {})
    write_version(
        create_markdown_artifact,
        markdown=summary_markdown(result, version=version, changes=changes),
        key=artifact_key(campaign_id, *key.split(":")),
        description=f"{result.get('heading') or key}（第{version}版）：应报 "
        f"{reports.get('owed', 0)} 份，已报 {reports.get('reported', 0)} 份，"
        f"未报 {reports.get('missing', 0)} 份",
    )


def publish_standing(*, campaign_id: int, as_of: datetime) -> None:
    """The campaign-level artifact: the whole campaign compiled as it stands at `as_of`."""
    with session_scope() as session:
        campaign = session.get_one(Campaign, campaign_id)
        today = local_date(as_of, campaign.timezone)
        frames = load_frames(session=session, campaign_id=campaign_id)
    compiled = compile_results(frames, today=today)
    result = summary_result(compiled, frames.plan, heading="当前进展", today=today)
    reports = result["reports"]
    write_version(
        create_markdown_artifact,
        markdown=standing_markdown(result, today=today.isoformat()),
        key=artifact_key(campaign_id, "standing"),
        description=f"截至{as_of.isoformat()}：已报 {reports['reported']}/{reports['owed']} 份",
    )
