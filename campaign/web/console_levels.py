"""A relay unit's page in the console (/admin/campaigns/{id}/units/{code}): the drill-down
of a routed duty under one city — its own aggregate reports, its counties' completeness,
and their accepted figures beside what the city submitted (their sum and the difference,
in words). A plain function of a session, within the account's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from campaign.results.cells import blank
from campaign.results.compile import compile_results
from campaign.results.levels import level_rows, number_text, under
from campaign.results.load import load_frames
from campaign.results.pending_sheet import field_header
from models.campaign import Campaign
from models.request import ReportRequest

KIND_TEXT = {"relay": "本级上报", "detail": "", "sum": "合计", "difference": "差额"}


def unit_context(
    *,
    session: Session,
    campaign_id: int,
    unit_code: str,
    today: date,
    scope: frozenset[str] | None,
) -> dict[str, Any] | None:
    """None: no such campaign, no unit relaying to this one, or not in the scope (the
    same answer, so another unit's page is not even confirmed to exist)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or (scope is not None and unit_code not in scope):
        return None
    query = select(col(ReportRequest.bureau_code)).where(
        col(ReportRequest.campaign_id) == campaign_id, col(ReportRequest.relay_to) == unit_code
    )
    below = set(session.connection().execute(query.distinct()).scalars())
    if not below:
        return None
    shown = frozenset({unit_code, *below})
    frames = load_frames(
        session=session, campaign_id=campaign_id, units=shown if scope is None else shown & scope
    )
    compiled = compile_results(frames, today=today)
    counties = compile_results(under(frames, unit_code), today=today)
    levels = compiled.levels
    relays = levels.relays.set_index("unit")
    if unit_code not in relays.index:
        return None
    own = relays.loc[unit_code].to_dict()
    tables = []
    for form, figures in levels.figures.items():
        rows = [
            {
                "kind": r["kind"],
                "label": KIND_TEXT.get(r["kind"], ""),
                "name": r["name"],
                "values": [_text(v) for v in r["values"]],
                "note": r["note"],
            }
            for r in level_rows(levels, form)
        ]
        head = [field_header(f) for f in figures.fields]
        tables.append({"title": figures.form.title, "head": head, "rows": rows,
                       "words": figures.words.get(unit_code, [])})  # fmt: skip
    return {
        "title": f"{own['name']}：逐级汇总",
        "campaign": campaign,
        "today": today,
        "unit_name": own["name"],
        "own": own,
        "counties": counties.completeness_unit.to_dict("records"),
        "missing": counties.missing_reports.to_dict("records"),
        "tables": tables,
        "back": f"/admin/campaigns/{campaign_id}",
    }


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "—" if blank(value) else number_text(value)
