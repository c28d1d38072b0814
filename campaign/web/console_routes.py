"""The coordinators' console (/admin/campaigns): the campaigns, a campaign's dashboard, and
a stage's 汇总表 and charts to download. Behind the coordinator login; GET only (no form
changes anything here). Pages are built by console_views; outputs by campaign.results."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from campaign.clock import local_date
from campaign.plan.stored import plan_of
from campaign.results.charts import CJKFontMissing, write_charts
from campaign.results.compile import compile_results
from campaign.results.load import load_frames, window_of, within
from campaign.results.workbook import write_workbook
from campaign.web.admin_auth import Coordinator
from campaign.web.admin_session import _gate, _run, _state, bar
from campaign.web.console_downloads import cached_file, data_key
from campaign.web.console_levels import unit_context
from campaign.web.console_matrix import MatrixQuery
from campaign.web.console_results import results_context
from campaign.web.console_views import CHARTS, campaigns_context, dashboard_context
from campaign.web.pages import error_page, page
from models.campaign import Campaign

router = APIRouter(prefix="/admin/campaigns", tags=["coordinator"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_CAMPAIGN = "没有这个工作方案"
NO_UNIT = "没有这个单位"


def _today(request: Request, session: Session, campaign_id: int) -> date | None:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    return local_date(_state(request).clock(), campaign.timezone)


@router.get("", response_class=HTMLResponse, summary="The campaigns")
async def campaigns(request: Request) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    context = await _run(request, lambda s: campaigns_context(session=s, within=who.scope.units))
    return page("console_campaigns.html", **context, **bar(request, who))


@router.get("/{campaign_id}", response_class=HTMLResponse, summary="A campaign's dashboard")
async def dashboard(request: Request, campaign_id: int) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    query = MatrixQuery.read(dict(request.query_params))

    def build(session: Session) -> dict[str, object] | None:
        today = _today(request, session, campaign_id)
        if today is None:
            return None
        context = dashboard_context(
            session=session,
            campaign_id=campaign_id,
            today=today,
            query=query,
            within=who.scope.units,
        )
        if context is not None and who.scope.is_office:  # province-wide drafts, acceptance
            context |= results_context(session=session, campaign_id=campaign_id, today=today)
        return context

    context = await _run(request, build)
    if context is None:
        return error_page(NO_CAMPAIGN, f"没有编号为{campaign_id}的工作方案。", status=404)
    return page("console_dashboard.html", **context, **bar(request, who))


@router.get(
    "/{campaign_id}/units/{unit_code}",
    response_class=HTMLResponse,
    summary="A relay unit's drill-down: its counties against its own report",
)
async def unit_levels(request: Request, campaign_id: int, unit_code: str) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who

    def build(session: Session) -> dict[str, object] | None:
        today = _today(request, session, campaign_id)
        if today is None:
            return None
        return unit_context(
            session=session,
            campaign_id=campaign_id,
            unit_code=unit_code[:32],
            today=today,
            scope=who.scope.units,
        )

    context = await _run(request, build)
    if context is None:
        return error_page(NO_UNIT, "没有这个单位的逐级汇总，或您的账号无权查看。", status=404)
    return page("console_unit.html", **context, **bar(request, who))


def _stage_file(
    request: Request, session: Session, who: Coordinator, campaign_id: int, stage: str, name: str
) -> Path | Response:
    """A stage's output file (workbook.xlsx or charts/<n>.png) compiled from accepted
    answers of the units the account sees, from the download cache when the data has not
    changed (console_downloads; one cache entry per scope); else an error page (unknown
    campaign or stage, no CJK font)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return error_page(NO_CAMPAIGN, f"没有编号为{campaign_id}的工作方案。", status=404)
    today = local_date(_state(request).clock(), campaign.timezone)
    try:
        window = window_of(plan_of(campaign), None if stage == "all" else stage)
    except KeyError as exc:
        return error_page("没有这个阶段", str(exc.args[0]), status=404)
    key = data_key(session=session, campaign=campaign, today=today)
    if who.scope.units is not None:
        key = f"{key}-{who.scope.unit_code}"

    def build(directory: Path) -> None:
        frames = within(load_frames(session=session, campaign_id=campaign_id), who.scope.units)
        compiled = compile_results(frames, stage=window, today=today)
        (directory / "charts").mkdir()
        (directory / "stage-name.txt").write_text(compiled.stage_name, encoding="utf-8")
        if name == "workbook.xlsx":
            write_workbook(compiled, directory / name)
        else:
            for i, made in enumerate(write_charts(compiled, directory / "drawn"), 1):
                made.rename(directory / "charts" / f"{i}.png")

    root = Path(_state(request).data_dir)
    try:
        return cached_file(root, campaign_id, stage, key, name, build)
    except CJKFontMissing as exc:
        return error_page("无法绘制图表", str(exc), status=503)


def _download(data: bytes, filename: str, media_type: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


@router.get("/{campaign_id}/stages/{stage}/workbook.xlsx", summary="A stage's 汇总表")
async def workbook(request: Request, campaign_id: int, stage: str) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who

    def build(session: Session) -> Response:
        path = _stage_file(request, session, who, campaign_id, stage, "workbook.xlsx")
        if isinstance(path, Response):
            return path
        return _download(path.read_bytes(), f"汇总表-{_stage_name(path)}.xlsx", XLSX)

    result: Response = await _run(request, build)
    return result


@router.get("/{campaign_id}/stages/{stage}/charts/{number}.png", summary="A stage's chart")
async def chart(request: Request, campaign_id: int, stage: str, number: int) -> Response:
    who = await _gate(request)
    if not isinstance(who, Coordinator):
        return who
    if not 1 <= number <= len(CHARTS):
        return error_page("没有这个图表", "没有这个图表。", status=404)

    def build(session: Session) -> Response:
        path = _stage_file(request, session, who, campaign_id, stage, f"charts/{number}.png")
        if isinstance(path, Response):
            return path
        name = f"{CHARTS[number - 1]}-{_stage_name(path)}.png"
        return _download(path.read_bytes(), name, "image/png")

    result: Response = await _run(request, build)
    return result


def _stage_name(path: Path) -> str:
    """The stage's name as the compilation gave it, kept beside its outputs."""
    folder = path.parent if path.parent.name != "charts" else path.parent.parent
    return (folder / "stage-name.txt").read_text(encoding="utf-8")
