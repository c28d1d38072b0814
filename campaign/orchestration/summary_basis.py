"""What a stored summary was compiled from, per summary: its basis.

A summary's figures and notes (what its digest covers) are a pure function of
campaign.results' frames restricted to its window, plus a few campaign-wide facts. Its
basis fingerprints exactly those inputs, read in four grouped queries per refresh, so
`refresh_summaries` recompiles a summary only when an input of its own window moved:
a late answer for one month recompiles that month's stage summary (and the whole-campaign
ones), not the others.

A basis is "{campaign-wide}#{window}":
- campaign-wide (`campaign_basis`): counts and largest ids of the answers and requests,
  the latest review. Unchanged, nothing new can be in any summary: the refresh stops there.
- window (`WindowInputs.basis`): the plan (by its hash), the units asked and when each was
  first asked on each duty, their registry rows, and the requests and answers of the
  window's reports, grouped by their date, state and review state (count, sum and largest
  id, due dates, versions). Any answer, review, return or new request of the window moves
  one of these.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from campaign.results.compile import REPORT_KINDS
from campaign.schedule import ACK_DUTY
from models.bureau import Bureau
from models.campaign import Campaign
from models.request import ReportRequest
from models.submission import ReportSubmission

SEPARATOR = "#"
Window = tuple[date | None, date | None]


def campaign_basis(session: Session, campaign_id: int) -> str:
    """A fingerprint of the answers and requests: unchanged, no summary needs recompiling."""
    s, r = ReportSubmission, ReportRequest
    answers = session.execute(
        select(func.count(col(s.id)), func.max(col(s.id)), func.max(col(s.reviewed_at))).where(
            col(s.campaign_id) == campaign_id
        )
    ).one()
    requests = session.execute(
        select(func.count(col(r.id)), func.max(col(r.id))).where(col(r.campaign_id) == campaign_id)
    ).one()
    reviewed = answers[2].isoformat() if answers[2] is not None else "-"
    return f"{answers[0]}:{answers[1]}:{reviewed}|{requests[0]}:{requests[1]}"


def campaign_part(basis: str) -> str:
    return basis.split(SEPARATOR, 1)[0]


def window_part(basis: str) -> str:
    return basis.split(SEPARATOR, 1)[1] if SEPARATOR in basis else ""


def joined(campaign: str, window: str) -> str:
    return f"{campaign}{SEPARATOR}{window}"


@dataclass(frozen=True)
class WindowInputs:
    """The grouped inputs of every window, read once per refresh."""

    common: str  # plan, units asked and their first periods, their registry rows
    requests: dict[date | None, list[tuple[Any, ...]]]  # report date → grouped request rows
    answers: dict[date | None, list[tuple[Any, ...]]]  # report date → grouped answer rows

    def basis(self, window: Window, day: date | None) -> str:
        """The fingerprint of a summary over `window` (start, end; None: open) as of `day`."""
        start, end = window
        rows: list[Any] = [self.common, _iso(start), _iso(end), _iso(day)]
        for grouped in (self.requests, self.answers):
            for when in sorted(grouped, key=lambda d: (d is not None, d)):
                if when is None or (
                    (start is None or when >= start) and (end is None or when <= end)
                ):
                    rows.append((_iso(when), sorted(grouped[when], key=repr)))
        return _hash(rows)


def window_inputs(session: Session, campaign_id: int) -> WindowInputs:
    """Four grouped queries: the units asked per duty, their registry rows, the requests
    and the answers by report date (a report counts in a window by its period's end, else
    its due date, as campaign.results.compile.in_window has it)."""
    r, s = ReportRequest, ReportSubmission
    campaign = session.get_one(Campaign, campaign_id)
    first_asked = session.execute(
        select_columns(
            col(r.duty_key), col(r.bureau_code), col(r.kind), func.min(col(r.period_end))
        )
        .where(col(r.campaign_id) == campaign_id)
        .group_by(col(r.duty_key), col(r.bureau_code), col(r.kind))
    ).all()
    codes = sorted({row[1] for row in first_asked})
    bureaus = session.execute(
        select_columns(
            col(Bureau.code), col(Bureau.name), col(Bureau.parent_code), col(Bureau.active)
        )
        .where(col(Bureau.code).in_(codes))
        .order_by(col(Bureau.code))
    ).all()
    common = _hash(
        [
            campaign.plan_sha256,
            campaign.title,
            campaign.document_number,
            sorted(tuple(map(_iso, row)) for row in first_asked),
            [tuple(row) for row in bureaus],
        ]
    )
    when = func.coalesce(col(r.period_end), col(r.due_date), type_=Date).label("report_date")
    reports = (
        col(r.campaign_id) == campaign_id,
        col(r.duty_key) != ACK_DUTY,
        col(r.kind).in_(REPORT_KINDS),
    )
    request_rows = session.execute(
        select_columns(
            when,
            col(r.status),
            col(r.late),
            func.count(col(r.id)),
            func.sum(col(r.id)),
            func.max(col(r.id)),
            func.min(col(r.due_date)),
            func.max(col(r.due_date)),
        )
        .where(*reports)
        .group_by(when, col(r.status), col(r.late))
    ).all()
    answer_rows = session.execute(
        select_columns(
            when,
            col(s.review_status),
            func.count(col(s.id)),
            func.sum(col(s.id)),
            func.max(col(s.id)),
            func.sum(col(s.version)),
        )
        .join(r, col(s.request_id) == col(r.id))
        .where(*reports)
        .group_by(when, col(s.review_status))
    ).all()
    return WindowInputs(common, _by_date(request_rows), _by_date(answer_rows))


def _by_date(rows: Any) -> dict[date | None, list[tuple[Any, ...]]]:
    grouped: dict[date | None, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(tuple(_iso(v) for v in row[1:]))
    return dict(grouped)


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum as stored
        return str(value.value)
    return value


def _hash(parts: list[Any]) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:40]
