"""What a tick shows in the Prefect UI: a status table and progress per campaign.

Artifact keys are lowercase-dashed and stable per campaign, so each tick adds a new
version of the same artifact.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from prefect.artifacts import create_progress_artifact, create_table_artifact

from campaign.db import session_scope
from campaign.orchestration.status import campaign_standing, done_per_bureau, tick_table
from models.summary import CampaignSummary


def artifact_key(campaign_id: int, *parts: str) -> str:
    """campaign-7-status, campaign-7-summary-stage-summary-market-access."""
    text = "-".join(["campaign", str(campaign_id), *parts]).lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text)).strip("-")


def publish_tick(*, campaign_id: int, as_of: datetime, outcomes: list[dict[str, Any]]) -> None:
    with session_scope() as session:
        standing = campaign_standing(session=session, campaign_id=campaign_id, as_of=as_of)
    title = f"{standing.document_number} {standing.today.isoformat()}"
    create_table_artifact(
        table=tick_table(standing, done_per_bureau(outcomes)),
        key=artifact_key(campaign_id, "status"),
        description=f"**{title}**: 本次办理 {sum(len(o['done']) for o in outcomes)} 项；"
        f"已收报告 {standing.reports_received}/{standing.reports_expected}",
    )
    create_progress_artifact(
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
            "要求": f"{t['comparator']} {t['threshold']}{t['unit']}",
            "实际": "—" if t["value"] is None else f"{t['value']}{t['unit']}",
            "达标": {True: "是", False: "否", None: "无数据"}[t["met"]],
            "未达标单位": "、".join(t["failing"]),
            "未报单位": "、".join(t["missing"]),
        }
        for t in result.get("targets", [])
    ]
    create_table_artifact(
        table=rows,
        key=artifact_key(campaign_id, *key.split(":")),
        description=f"**{result.get('title') or key}**：应报 {reports.get('expected', 0)} 份，"
        f"已报 {reports.get('received', 0)} 份，未报单位 {len(reports.get('missing', {}))} 个",
    )
