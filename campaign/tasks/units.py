"""Units a plan names (a tracked task's 责任单位): found in the registry by name or code."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from campaign.bureaus import select_reporters


def units_named(*, session: Session, root_code: str | None, names: Sequence[str]) -> list[str]:
    """Codes of the active units below the root whose name or code the plan gives."""
    wanted = set(names)
    return [
        b.code
        for b in select_reporters(session=session, root_code=root_code, level="all")
        if b.name in wanted or b.code in wanted
    ]


def unknown_units(*, session: Session, root_code: str | None, names: Sequence[str]) -> list[str]:
    """The names (or codes) that match no active unit below the root."""
    known: set[str] = set()
    for b in select_reporters(session=session, root_code=root_code, level="all"):
        known |= {b.name, b.code}
    return [n for n in dict.fromkeys(names) if n not in known]
