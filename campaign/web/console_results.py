"""The console's results as plain functions of a session: the stored summaries with their
versions (date, what changed, the .docx drafts to download), and the acceptance: the
inspections and 整改 orders, the open ones on the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from campaign.acceptance.orders import VERDICTS, inspections_of
from campaign.acceptance.report import order_record
from campaign.acceptance.state import OrderState, orders_of
from campaign.results.summary import change_notes
from models.bureau import Bureau
from models.campaign import Campaign
from models.summary import CampaignSummary

DOCUMENTS = {"summary": "阶段小结", "final": "工作总结", "bulletin": "通报"}


def _base(campaign_id: int) -> str:
    return f"/admin/campaigns/{campaign_id}"


def summary_kind(result: dict[str, Any]) -> str:
    """ "stage" for a phase's or action's 阶段小结, else "final" (工作总结, the acceptance)."""
    return "stage" if result.get("stage", {}).get("key") else "final"


def summary_versions(*, session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """Each stored summary (in the order first compiled) with its versions, newest first:
    number, date, the change from the previous version in words, the download links.
    Reads the versions' change lists, not their compiled results (large at 3,000 units)."""
    s = CampaignSummary
    rows = session.execute(
        select_columns(col(s.id), col(s.key), col(s.version), col(s.as_of), col(s.changes))
        .where(col(s.campaign_id) == campaign_id)
        .order_by(col(s.id))
    ).all()
    latest: dict[str, int] = {}
    for row_id, key, *_ in rows:
        latest[key] = row_id
    result = s.__table__.c.result  # type: ignore[attr-defined]
    heads = {  # only two values of each latest version's JSON, read in the database
        row_id: (heading, stage_key)
        for row_id, heading, stage_key in session.execute(
            select_columns(
                col(s.id), result["heading"].as_string(), result[("stage", "key")].as_string()
            ).where(col(s.id).in_(list(latest.values())))
        ).all()
    }
    grouped: dict[str, dict[str, Any]] = {}
    for row_id, key, version, as_of, changes in rows:
        heading, stage_key = heads[latest[key]]
        label = DOCUMENTS["summary" if stage_key else "final"]
        entry = grouped.setdefault(
            key, {"key": key, "heading": heading or key, "label": label, "versions": []}
        )
        notes = change_notes(list(changes or []), version - 1) if version > 1 else []
        if version > 1 and not notes:
            notes = [f"与第{version - 1}版相比：文字说明有变化。"]
        url = f"{_base(campaign_id)}/summaries/{row_id}"
        entry["versions"].insert(
            0,
            {
                "id": row_id,
                "version": version,
                "date": as_of.date(),
                "note": notes[0] if notes else "首次汇总",
                "summary_url": f"{url}/summary.docx",
                "bulletin_url": f"{url}/bulletin.docx",
            },
        )
    return list(grouped.values())


def open_orders(*, session: Session, campaign_id: int, today: date) -> list[dict[str, Any]]:
    """The 整改 orders not closed (销号), by deadline: unit, what, state, dates."""
    done = (OrderState.closed.value, OrderState.ended.value)
    return [o for o in order_rows(session=session, campaign_id=campaign_id, today=today)
            if o["status"] not in done]  # fmt: skip


def _names(session: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    found = session.exec(select(Bureau.code, Bureau.name).where(col(Bureau.code).in_(codes)))
    return dict(found.all())


def order_rows(*, session: Session, campaign_id: int, today: date) -> list[dict[str, Any]]:
    """Every order (those still to do first, by deadline): its state on `today` in words,
    the dates of each step, the unit's latest report, what a coordinator may do next."""
    timezone = session.get_one(Campaign, campaign_id).timezone
    views = orders_of(session, campaign_id)
    names = _names(session, {v.order.bureau_code for v in views})
    rows = []
    for view in views:
        record = order_record(view, today, timezone)
        rows.append(
            {
                "number": record.number,
                "unit": names.get(record.bureau_code, record.bureau_code),
                "what": record.what,
                "deadline": record.deadline,
                "status": record.state.value,
                "state": record.status,
                "steps": record.steps,
                "overdue": record.state == OrderState.overdue
                or (record.state == OrderState.returned and record.deadline < today),
                "report": record.report,
                "reviewer": record.reviewer,
                "comment": record.comment,
            }
        )
    done = (OrderState.closed.value, OrderState.ended.value)
    return sorted(rows, key=lambda r: (r["status"] in done, r["deadline"], r["number"]))


def acceptance_context(*, session: Session, campaign_id: int, today: date) -> dict[str, Any]:
    """The entry page: the inspections recorded, every order, the verdicts to choose."""
    inspections = inspections_of(session, campaign_id)
    names = _names(session, {i.bureau_code for i in inspections})
    return {
        "inspections": [
            {
                "unit": names.get(i.bureau_code, i.bureau_code),
                "date": i.inspected_on,
                "inspector": i.inspector,
                "verdict": i.verdict,
                "findings": i.findings,
            }
            for i in inspections
        ],
        "orders": order_rows(session=session, campaign_id=campaign_id, today=today),
        "verdicts": VERDICTS,
        "base": _base(campaign_id),
    }


def results_context(*, session: Session, campaign_id: int, today: date) -> dict[str, Any]:
    """What the dashboard adds: the summaries' versions, the open orders, the links."""
    base = _base(campaign_id)
    return {
        "summary_versions": summary_versions(session=session, campaign_id=campaign_id),
        "open_orders": open_orders(session=session, campaign_id=campaign_id, today=today),
        "acceptance_url": f"{base}/acceptance",
        "acceptance_xlsx": f"{base}/acceptance/report.xlsx",
        "acceptance_docx": f"{base}/acceptance/report.docx",
    }
