"""A summary version, and the campaign's current standing, as Markdown (Prefect artifacts).

Units by name, never by code; every cell escaped, so a comparator stays ">= 100%" and is
never read as a quote or a tag.
"""

from __future__ import annotations

import re
from typing import Any

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def escape(text: object) -> str:
    """Text shown as it is in Markdown (table cells included)."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def requirement(target: dict[str, Any]) -> str:
    """The requirement in words (≥ 50% 或 ≥ 500家, 3至5个), else comparator and threshold."""
    written = target.get("requirement") or (
        f"{target['comparator']} {target['threshold']}{target['unit']}"
    )
    return escape(written)


def summary_markdown(
    result: dict[str, Any], *, version: int = 1, changes: list[dict[str, Any]] | None = None
) -> str:
    """The summary: heading, reporting, targets (with the units behind), laggards, notes,
    and what changed since the previous version."""
    reports = result.get("reports", {})
    stage = result.get("stage", {})
    title = f"{result.get('title', '')} {result.get('heading', '')}".strip()
    lines = [f"# {escape(title)}（第{version}版）", ""]
    if stage.get("start"):
        lines += [escape(f"阶段：{stage['name']}（{stage['start']}至{stage['end']}）"), ""]
    rate = reports.get("reporting_rate")
    lines += [
        escape(
            f"应报 {reports.get('owed', 0)} 份，已报 {reports.get('reported', 0)} 份"
            f"（其中迟报 {reports.get('late', 0)} 份），未报 {reports.get('missing', 0)} 份；"
            f"报送率 {rate + '%' if rate else '无'}。"
        ),
        "",
    ]
    targets = result.get("targets", [])
    if targets:
        lines += [
            "## 工作目标",
            "",
            "| 目标 | 要求 | 实际 | 差距 | 评价 | 未达标单位 | 未报单位 |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for t in targets:
            unit = t["unit"] or ""
            value = f"{t['value']}{unit}" if t["value"] is not None else "无数据"
            gap = t["gap"] if t["gap"] is not None else "—"
            cells = [
                escape(t["name"]),
                requirement(t),
                escape(value),
                escape(gap),
                escape(t["status"]),
                escape("、".join(t["failing"]) or "—"),
                escape("、".join(t["missing"]) or "—"),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    laggards = result.get("laggards", [])
    if laggards:
        lines += ["## 落后单位", ""]
        lines += [f"- {escape(row['name'])}：{escape(row['reasons'])}" for row in laggards]
        lines.append("")
    notes = result.get("notes", [])
    if notes:
        lines += ["## 说明", ""] + [f"- {escape(n)}" for n in notes] + [""]
    if changes:
        lines += ["## 与上一版相比", "", "| 项目 | 原为 | 现为 |", "| --- | --- | --- |"]
        for c in changes:
            lines.append(
                f"| {escape(c['item'])} | {escape(c['before'] or '无')} | "
                f"{escape(c['after'] or '无')} |"
            )
        lines.append("")
    return "\n".join(lines)


def standing_markdown(result: dict[str, Any], *, today: str) -> str:
    """The campaign as it stands today: reporting, targets, the units behind."""
    body = summary_markdown(result, version=1).split("\n", 2)[2]
    title = escape(f"{result.get('title', '')} 当前进展（截至{today}）")
    ranking = result.get("ranking", [])
    lines = [f"# {title}", "", body]
    if ranking:
        lines += ["## 排名", "", "| 名次 | 单位 | 达标目标数 |", "| --- | --- | --- |"]
        lines += [f"| {r['rank']} | {escape(r['name'])} | {r['targets_met']} |" for r in ranking]
    return "\n".join(lines)
