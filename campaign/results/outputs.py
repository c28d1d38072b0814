"""A stage's outputs as files and bytes, behind plain functions (CLI, demo, web console).

`write_outputs` compiles a stage once and writes its 汇总表 (.xlsx), its charts (.png) and
the .docx drafts of its 阶段小结 (or 工作总结) and 通报; `summary_document` gives the
draft of a stored summary version as bytes (what a download link serves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from campaign.documents.summary_docx import DocumentKind, summary_docx
from campaign.plan.stored import plan_of
from campaign.results.charts import CJKFontMissing, write_charts
from campaign.results.compile import Compiled, compile_results
from campaign.results.load import Frames, load_frames, window_of
from campaign.results.summary import WHOLE, summary_result
from campaign.results.workbook import write_workbook
from models.campaign import Campaign
from models.summary import CampaignSummary


@dataclass
class Outputs:
    compiled: Compiled
    result: dict[str, Any]
    workbook: Path
    summary: Path
    bulletin: Path
    charts: list[Path] = field(default_factory=list)
    charts_missing: str | None = None  # why no chart was drawn (no CJK font)

    @property
    def files(self) -> list[Path]:
        return [self.workbook, self.summary, self.bulletin, *self.charts]


def write_outputs(
    frames: Frames,
    out: Path,
    *,
    stage: str | None = None,
    today: date | None = None,
    templates_dir: Path | None = None,
    whole: bool = False,
) -> Outputs:
    """Compile the stage (see load.window_of; `whole`: the whole campaign) and write its
    files into `out`."""
    window = WHOLE if whole else window_of(frames.plan, stage, today)
    compiled = compile_results(frames, stage=window, today=today)
    name = compiled.stage_key or "全程"
    heading = compiled.stage_name if compiled.stage_key else "工作总结"
    result = summary_result(compiled, frames.plan, heading=heading, today=today)
    out.mkdir(parents=True, exist_ok=True)
    workbook = write_workbook(compiled, out / f"汇总表-{name}.xlsx")
    charts: list[Path] = []
    missing = None
    try:
        charts = write_charts(compiled, out / f"图表-{name}")
    except CJKFontMissing as exc:
        missing = str(exc)
    pictures = {path.stem: path for path in charts}
    kind: DocumentKind = "stage" if compiled.stage_key else "final"
    documents = {}
    for doc_kind, label in (
        (kind, "工作总结" if kind == "final" else "阶段小结"),
        ("bulletin", "通报"),
    ):
        path = out / f"{label}（草稿）-{name}.docx"
        path.write_bytes(
            summary_docx(
                result, frames.plan, doc_kind, charts=pictures, templates_dir=templates_dir
            )
        )
        documents[doc_kind] = path
    return Outputs(
        compiled=compiled,
        result=result,
        workbook=workbook,
        summary=documents[kind],
        bulletin=documents["bulletin"],
        charts=charts,
        charts_missing=missing,
    )


def write_campaign_outputs(
    *, session: Session, campaign_id: int, out: Path, stage: str | None, today: date | None
) -> Outputs:
    frames = load_frames(session=session, campaign_id=campaign_id)
    return write_outputs(frames, out, stage=stage, today=today)


def summary_document(*, session: Session, summary_id: int, kind: DocumentKind) -> bytes:
    """The .docx draft of a stored summary version (without charts)."""
    summary = session.get(CampaignSummary, summary_id)
    if summary is None:
        raise LookupError(f"找不到编号为 {summary_id} 的汇总")
    plan = plan_of(session.get_one(Campaign, summary.campaign_id))
    return summary_docx(dict(summary.result), plan, kind)


def write_summary_versions(*, session: Session, campaign_id: int, out: Path) -> list[Path]:
    """The latest version of every stored summary as its .docx draft (阶段小结, or 工作总结
    for the final summary and the acceptance), named by its heading and version."""
    from campaign.orchestration.summaries import latest_versions

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for summary in latest_versions(session, campaign_id).values():
        assert summary.id is not None
        stage = summary.result.get("stage", {})
        kind: DocumentKind = "stage" if stage.get("key") else "final"
        heading = summary.result.get("heading") or summary.key
        path = out / f"{heading}（第{summary.version}版）.docx"
        path.write_bytes(summary_document(session=session, summary_id=summary.id, kind=kind))
        paths.append(path)
    return sorted(paths)
