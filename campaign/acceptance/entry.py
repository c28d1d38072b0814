"""Inspections and 整改 orders as entered in a form (the console): text fields read into
the arguments of `campaign.acceptance.orders`, whose validation decides.

A field the form alone can get wrong (a date that is not a date, a unit named ambiguously)
is reported together with every problem the order functions find, at once; nothing is
stored when there is any (the call runs in a savepoint, rolled back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TypeVar

from sqlmodel import Session, col, select

from campaign.acceptance.orders import (
    EntryRefused,
    OrderView,
    close_order,
    order_rectification,
    record_inspection,
    report_done,
    return_order,
)
from models.audit import Channel
from models.bureau import Bureau
from models.rectification import Inspection, RectificationOrder

Row = TypeVar("Row")


def unit_code(session: Session, text: str, problems: list[str]) -> str:
    """The unit's code from what was typed: its code, or its exact name."""
    typed = text.strip()
    if not typed or session.get(Bureau, typed) is not None:
        return typed
    named = session.exec(select(Bureau.code).where(col(Bureau.name) == typed)).all()
    if len(named) > 1:
        problems.append(f"单位：名称为“{typed}”的单位有{len(named)}个，请填写单位代码")
    return named[0] if len(named) == 1 else typed


def day_of(text: str, label: str, problems: list[str]) -> date | None:
    """A date typed as 2007-11-30 (also 2007/11/30, 2007.11.30)."""
    typed = text.strip().replace("/", "-").replace(".", "-")
    if not typed:
        problems.append(f"{label}：不能为空")
        return None
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in typed.split("-")))
    except ValueError:
        problems.append(f"{label}：“{text.strip()}”不是日期，应写作2007-11-30")
        return None


def _stored(session: Session, problems: list[str], call: Callable[[], Row]) -> Row:
    """`call()` in a savepoint; the form's problems and the call's named together, and
    nothing kept unless there are none."""
    try:
        with session.begin_nested():
            row = call()
            if problems:
                raise EntryRefused([])
    except EntryRefused as refused:
        raise EntryRefused([*problems, *refused.problems]) from None
    return row


def enter_inspection(
    *, session: Session, campaign_id: int, form: Mapping[str, str], actor: str, at: datetime
) -> Inspection:
    """Fields: unit, inspected_on, inspector (else the coordinator), verdict, findings."""
    problems: list[str] = []
    code = unit_code(session, form.get("unit", ""), problems)
    day = day_of(form.get("inspected_on", ""), "检查日期", problems)
    return _stored(
        session,
        problems,
        lambda: record_inspection(
            session=session,
            campaign_id=campaign_id,
            bureau_code=code,
            inspected_on=day or at.date(),
            inspector=form.get("inspector", "").strip() or actor,
            verdict=form.get("verdict", "").strip(),
            findings=form.get("findings", ""),
            at=at,
            channel=Channel.web,
        ),
    )


def enter_order(
    *,
    session: Session,
    campaign_id: int,
    form: Mapping[str, str],
    actor: str,
    today: date,
    at: datetime,
) -> RectificationOrder:
    """Fields: unit, what, deadline."""
    problems: list[str] = []
    code = unit_code(session, form.get("unit", ""), problems)
    deadline = day_of(form.get("deadline", ""), "整改期限", problems)
    return _stored(
        session,
        problems,
        lambda: order_rectification(
            session=session,
            campaign_id=campaign_id,
            bureau_code=code,
            what=form.get("what", ""),
            deadline=deadline or today,
            ordered_by=actor,
            today=today,
            at=at,
            channel=Channel.web,
        ),
    )


def enter_reported(
    *, session: Session, campaign_id: int, number: int, report: str, actor: str, at: datetime
) -> OrderView:
    """The unit's report that the order is done, as the coordinator received it (recorded
    on the unit's behalf: channel review, the coordinator as actor)."""
    return _stored(
        session,
        [],
        lambda: report_done(
            session=session,
            campaign_id=campaign_id,
            number=number,
            report=report,
            at=at,
            actor=actor,
            channel=Channel.review,
        ),
    )


def enter_closed(
    *, session: Session, campaign_id: int, number: int, actor: str, at: datetime
) -> OrderView:
    """销号."""
    return _stored(
        session,
        [],
        lambda: close_order(
            session=session, campaign_id=campaign_id, number=number, closed_by=actor, at=at
        ),
    )


def enter_returned(
    *, session: Session, campaign_id: int, number: int, form: Mapping[str, str], actor: str,
    at: datetime,
) -> OrderView:  # fmt: skip
    """退回: fields comment, deadline (empty: 3 working days)."""
    problems: list[str] = []
    deadline = None
    if form.get("deadline", "").strip():
        deadline = day_of(form["deadline"], "新的整改期限", problems)
    return _stored(
        session,
        problems,
        lambda: return_order(
            session=session,
            campaign_id=campaign_id,
            number=number,
            comment=form.get("comment", ""),
            deadline=deadline,
            returned_by=actor,
            at=at,
        ),  # fmt: skip
    )
