"""The unit × period matrix of one duty: units filtered (by parent, state, name), paged
on the server, grouped by parent; only the page's cells are read. A plain function of a
session, tested without HTTP."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session

from campaign.web.console_data import (
    STATE_TEXT,
    Counts,
    Period,
    Unit,
    matrix_cells,
)

STATE_FILTERS = {
    "": "全部单位",
    "missing": "有未报",
    "late": "有迟报",
    "returned": "有退回",
    "behind": "有未达标目标",
    "laggard": "落后单位",
    "complete": "全部按时",
}
PAGE_SIZES = (20, 50, 100, 200)
NO_PARENT = "（无上级单位）"


@dataclass(frozen=True)
class MatrixQuery:
    """The matrix's filters and page, as read from the query string (anything unknown is
    taken as "no filter" or the first page)."""

    duty: str = ""
    parent: str = ""
    state: str = ""
    name: str = ""
    page: int = 1
    per_page: int = 50

    @classmethod
    def read(cls, params: dict[str, str]) -> MatrixQuery:
        def number(key: str, default: int) -> int:
            text = params.get(key, "").strip()
            return int(text) if text.isdigit() and len(text) < 7 else default

        per_page = number("per_page", 50)
        return cls(
            duty=params.get("duty", "")[:64],
            parent=params.get("parent", "")[:32],
            state=params.get("state", "") if params.get("state", "") in STATE_FILTERS else "",
            name=params.get("name", "").strip()[:50],
            page=max(number("page", 1), 1),
            per_page=per_page if per_page in PAGE_SIZES else 50,
        )

    def link(self, **changes: Any) -> str:
        """The query string of this view with some parameters changed."""
        values = {**self.__dict__, **changes}
        kept = {k: v for k, v in values.items() if v not in ("", None)}
        if kept.get("per_page") == 50:
            kept.pop("per_page")
        if kept.get("page") == 1:
            kept.pop("page")
        return "?" + urlencode(kept) if kept else "?"


def keep_unit(
    query: MatrixQuery, unit: Unit, counts: Counts | None, behind: set[str], laggards: set[str]
) -> bool:
    if query.parent and unit.parent_code != query.parent:
        return False
    if query.name and query.name.casefold() not in unit.name.casefold():
        return False
    state = query.state
    if not state:
        return True
    if state == "behind":
        return unit.code in behind
    if state == "laggard":
        return unit.code in laggards
    if counts is None:
        return False
    if state == "complete":
        return counts.owed > 0 and counts["on_time"] == counts.owed
    return counts[state] > 0  # missing, late, returned


def matrix(
    *,
    session: Session,
    campaign_id: int,
    today: date,
    query: MatrixQuery,
    duty_key: str,
    units: list[Unit],
    counts: dict[str, Counts],
    periods: list[Period],
    behind: set[str],
    laggards: set[str],
    below: dict[str, Counts] | None = None,
    drill: str = "",
) -> dict[str, Any]:
    """The page of the matrix: periods (with their rates over all units), the filtered
    units of this page grouped by parent, their cells, and the paging. below: a relay
    unit's detail units' requests counted (its row links to drill + its code)."""
    below = below or {}
    kept = [u for u in units if keep_unit(query, u, counts.get(u.code), behind, laggards)]
    pages = max(math.ceil(len(kept) / query.per_page), 1)
    page = min(query.page, pages)
    shown = kept[(page - 1) * query.per_page : page * query.per_page]
    cells = matrix_cells(
        session=session,
        campaign_id=campaign_id,
        duty_key=duty_key,
        today=today,
        units=[u.code for u in shown],
    )
    groups: list[dict[str, Any]] = []
    for unit in shown:
        if not groups or groups[-1]["code"] != unit.parent_code:
            groups.append(
                {"code": unit.parent_code, "name": unit.parent_name or NO_PARENT, "rows": []}
            )
        c = counts.get(unit.code) or Counts()
        row_cells = []
        for p in periods:
            cell = cells.get((unit.code, p.key))
            row_cells.append(
                {"state": "none", "text": "", "pending": False}
                if cell is None
                else {"state": cell.state, "text": STATE_TEXT[cell.state], "pending": cell.pending}
            )
        groups[-1]["rows"].append(
            {
                "code": unit.code,
                "name": unit.name,
                "cells": row_cells,
                "counts": c,
                "below": below.get(unit.code),
                "drill": f"{drill}{unit.code}" if unit.code in below else "",
            }
        )
    return {
        "periods": periods,
        "groups": groups,
        "found": len(kept),
        "total": len(units),
        "page": page,
        "pages": pages,
        "query": query,
        "first_link": query.link(page=1),
        "prev_link": query.link(page=page - 1) if page > 1 else "",
        "next_link": query.link(page=page + 1) if page < pages else "",
        "last_link": query.link(page=pages),
    }
