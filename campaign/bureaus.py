"""The bureau registry: import from CSV (all or nothing), and who reports for a duty."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, select

from models.bureau import Bureau, BureauCreate, BureauLevel

COLUMNS = ("code", "name", "parent_code", "level", "email", "contact", "phone")
REQUIRED_COLUMNS = ("code", "name", "parent_code", "email")
LEVEL_RANK = {BureauLevel.province: 0, BureauLevel.city: 1, BureauLevel.county: 2}


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class BureauImportError(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def decode_csv(raw: bytes) -> str:
    """CSV text as saved by a text editor (UTF-8) or by Excel on a Chinese system (GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BureauImportError([RowProblem(1, None, "the file is neither UTF-8 nor GB18030 text")])


def parse_bureau_csv(text: str) -> list[tuple[int, BureauCreate]]:
    """Validated rows with their line numbers; raises BureauImportError listing every problem."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BureauImportError([RowProblem(1, None, f"missing column(s): {', '.join(missing)}")])
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise BureauImportError([RowProblem(1, None, f"unknown column(s): {', '.join(unknown)}")])
    rows: list[tuple[int, dict[str, str]]] = []
    ended = reader.line_num
    for record in reader:
        line, ended = ended + 1, reader.line_num  # a quoted record may span several lines
        values = {k.strip(): (v or "").strip() for k, v in record.items() if k is not None}
        if any(values.values()):
            rows.append((line, values))
    if not rows:
        raise BureauImportError([RowProblem(1, None, "the file has no bureau rows")])
    return _validate_rows(rows)


def _validate_rows(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, BureauCreate]]:
    problems: list[RowProblem] = []
    levels = _derive_levels(rows)
    valid: list[tuple[int, BureauCreate]] = []
    for line, values in rows:
        data = {k: v for k, v in values.items() if k in COLUMNS}
        data["parent_code"] = data.get("parent_code") or None  # type: ignore[assignment]
        data["level"] = data.get("level") or levels.get(data.get("code", ""), "")
        try:
            valid.append((line, BureauCreate.model_validate(data)))
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                message = err["msg"].removeprefix("Value error, ")
                if column == "level":
                    message = f"{data['level']!r} is not one of province, city, county"
                problems.append(RowProblem(line, column, message))
    seen: dict[str, int] = {}
    for line, bureau in valid:
        if bureau.code in seen:
            problems.append(
                RowProblem(
                    line,
                    "code",
                    f"duplicate code {bureau.code!r} (first on line {seen[bureau.code]})",
                )
            )
        else:
            seen[bureau.code] = line
    if problems:
        raise BureauImportError(sorted(problems, key=lambda p: p.line))
    return valid


def _derive_levels(rows: list[tuple[int, dict[str, str]]]) -> dict[str, str]:
    """Levels from depth in the file's tree, for rows that leave `level` empty."""
    parents = {v.get("code", ""): v.get("parent_code", "") for _, v in rows}
    names = list(BureauLevel)
    levels: dict[str, str] = {}
    for code in parents:
        depth, current, seen = 0, code, set()
        while parents.get(current) and current not in seen:
            seen.add(current)
            current = parents[current]
            depth += 1
        levels[code] = names[min(depth, len(names) - 1)].value
    return levels


def import_bureaus(*, session: Session, rows: list[tuple[int, BureauCreate]]) -> ImportSummary:
    """Create or update the bureaus, checking the whole tree first; nothing stored on error."""
    existing = {b.code: b for b in session.exec(select(Bureau)).all()}
    incoming = {b.code: (line, b) for line, b in rows}
    parent_of = {code: b.parent_code for code, b in existing.items()}
    level_of = {code: b.level for code, b in existing.items()}
    parent_of.update({code: b.parent_code for code, (_, b) in incoming.items()})
    level_of.update({code: b.level for code, (_, b) in incoming.items()})
    problems: list[RowProblem] = []
    for code, (line, bureau) in incoming.items():
        parent = bureau.parent_code
        if parent is None:
            continue
        if parent not in parent_of:
            problems.append(
                RowProblem(
                    line, "parent_code", f"parent {parent!r} is not in the file or the registry"
                )
            )
        elif _in_cycle(code, parent_of):
            problems.append(
                RowProblem(
                    line,
                    "parent_code",
                    f"{code!r} is its own ancestor (a cycle through {parent!r})",
                )
            )
        elif LEVEL_RANK[BureauLevel(level_of[parent])] >= LEVEL_RANK[bureau.level]:
            problems.append(
                RowProblem(
                    line,
                    "level",
                    f"a {bureau.level.value} bureau cannot sit under "
                    f"the {level_of[parent]} bureau {parent!r}",
                )
            )
    if problems:
        raise BureauImportError(sorted(problems, key=lambda p: p.line))
    created = updated = 0
    # Parents first, so foreign keys hold at every insert.
    for code in _parents_first(incoming, parent_of):
        _, bureau = incoming[code]
        if code in existing:
            row = existing[code]
            for name, value in bureau.model_dump().items():
                setattr(row, name, value)
            row.active = True
            updated += 1
        else:
            session.add(Bureau.model_validate(bureau.model_dump()))
            created += 1
        session.flush()
    return ImportSummary(created=created, updated=updated)


def import_bureau_csv(*, session: Session, raw: bytes) -> ImportSummary:
    return import_bureaus(session=session, rows=parse_bureau_csv(decode_csv(raw)))


def _in_cycle(code: str, parent_of: dict[str, str | None]) -> bool:
    seen = {code}
    current = parent_of.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def _parents_first(
    incoming: dict[str, tuple[int, BureauCreate]], parent_of: dict[str, str | None]
) -> list[str]:
    def depth(code: str) -> int:
        n, current = 0, parent_of.get(code)
        while current is not None:
            n, current = n + 1, parent_of.get(current)
        return n

    return sorted(incoming, key=lambda c: (depth(c), c))


def select_reporters(*, session: Session, root_code: str | None, level: str) -> list[Bureau]:
    """Active bureaus that report for a duty: below root_code (if given), at level (or 'all')."""
    bureaus = session.exec(select(Bureau).where(Bureau.active == True)).all()  # noqa: E712
    if root_code is not None:
        by_code = {b.code: b for b in bureaus}
        bureaus = [
            b for b in bureaus if b.code != root_code and _has_ancestor(b, root_code, by_code)
        ]
    elif level == "all":
        bureaus = [b for b in bureaus if b.parent_code is not None]
    if level != "all":
        bureaus = [b for b in bureaus if b.level == level]
    return sorted(bureaus, key=lambda b: b.code)


def _has_ancestor(bureau: Bureau, root: str, by_code: dict[str, Bureau]) -> bool:
    current: str | None = bureau.parent_code
    while current is not None:
        if current == root:
            return True
        parent = by_code.get(current)
        current = parent.parent_code if parent else None
    return False


def parent_of(*, session: Session, code: str) -> Bureau | None:
    bureau = session.get(Bureau, code)
    return session.get(Bureau, bureau.parent_code) if bureau and bureau.parent_code else None


def list_bureaus(*, session: Session) -> Iterable[Bureau]:
    return session.exec(select(Bureau).order_by(Bureau.code)).all()
