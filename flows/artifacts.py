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
from prefect.artifacts import create_progress_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.exceptions import PrefectHTTPStatusError
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

from campaign.db import session_scope
from campaign.orchestration.status import campaign_standing, done_per_bureau, tick_table
from campaign.settings import get_settings
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


def publish_summary_table(*, campaign_id: int, summary_id: int) -> None:
    with session_scope() as session:
        summary = session.get(CampaignSummary, summary_id)
        if summary is None:
            raise LookupError(f"no summary {summary_id}")
        result, key = dict(summary.result), summary.key
    reports = result.get("reports", {})
    rows = [
        {
            "目标": t["name"],
            "范围": "各单位" if t["scope"] == "per_bureau" else "全省",
            "要求": t.get("requirement") or f"{t['comparator']} {t['threshold']}{t['unit']}",
            "实际": "—" if t["value"] is None else f"{t['value']}{t['unit']}",
            "达标": {True: "是", False: "否", None: "无数据"}[t["met"]],
            "未达标单位": "、".join(t["failing"]),
            "未报单位": "、".join(t["missing"]),
        }
        for t in result.get("targets", [])
    ]
    write_version(
        create_table_artifact,
        table=rows,
        key=artifact_key(campaign_id, *key.split(":")),
        description=f"**{result.get('title') or key}**：应报 {reports.get('expected', 0)} 份，"
        f"已报 {reports.get('received', 0)} 份，未报单位 {len(reports.get('missing', {}))} 个",
    )
