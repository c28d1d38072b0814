"""The bureau registry: import from CSV (all or nothing), and who reports for a duty."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from campaign.bureau_csv import (
    BureauImportError,
    BureauRow,
    RowProblem,
    decode_csv,
    level_label,
    parse_bureau_csv,
)
from models.bureau import Bureau, BureauLevel

__all__ = ["BureauImportError", "ImportSummary", "RowProblem", "import_bureau_csv"]

LEVEL_RANK = {BureauLevel.province: 0, BureauLevel.city: 1, BureauLevel.county: 2}
_BELOW = {BureauLevel.province: BureauLevel.city, BureauLevel.city: BureauLevel.county}


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def import_bureau_csv(*, session: Session, raw: bytes) -> ImportSummary:
    """Create or update the bureaus of a CSV file; BureauImportError lists every problem
    (each field of each row, then across rows and against the stored tree) and nothing is
    stored unless the whole file is right."""
    rows, problems = parse_bureau_csv(decode_csv(raw))
    existing = {b.code: b for b in session.exec(select(Bureau)).all()}
    tree = _Tree(rows, existing)
    problems += tree.check()
    if problems:
        raise BureauImportError(problems)
    created = updated = 0
    # Parents first, so foreign keys hold at every insert.
    for code in sorted(tree.incoming, key=lambda c: (tree.depth(c), c)):
        row = tree.incoming[code]
        assert row.bureau is not None
        level = tree.level_of(code)
        assert level is not None
        bureau = row.bureau.model_copy(update={"level": level})
        if code in existing:
            stored = existing[code]
            for name, value in bureau.model_dump().items():
                setattr(stored, name, value)
            stored.active = True
            updated += 1
        else:
            session.add(Bureau.model_validate(bureau.model_dump()))
            created += 1
        session.flush()
    return ImportSummary(created=created, updated=updated)


class _Tree:
    """The registry as it would be after the import: stored bureaus, replaced by the file's."""

    def __init__(self, rows: list[BureauRow], existing: dict[str, Bureau]) -> None:
        self.rows = rows
        self.existing = existing
        self.incoming: dict[str, BureauRow] = {}
        self.problems: list[RowProblem] = []
        for row in rows:
            if not row.code:
                continue
            first = self.incoming.setdefault(row.code, row)
            if first is not row:
                self.problems.append(
                    RowProblem(
                        row.line, "code", f"代码“{row.code}”重复（首次出现在第{first.line}行）"
                    )
                )
        self.parent_of = {code: b.parent_code for code, b in existing.items()}
        self.parent_of.update({code: r.parent_code for code, r in self.incoming.items()})
        self._levels: dict[str, BureauLevel | None] = {}

    def check(self) -> list[RowProblem]:
        for code, row in self.incoming.items():
            self._check_parent(code, row)
        for child in self.existing.values():
            if child.parent_code in self.incoming and child.code not in self.incoming:
                self._check_stored_child(child)
        return self.problems

    def _check_parent(self, code: str, row: BureauRow) -> None:
        parent = row.parent_code
        if parent is None:
            return
        if parent not in self.parent_of:
            self._add(row, "parent_code", f"上级代码“{parent}”在文件和单位登记册中都不存在")
        elif self._in_cycle(code):
            self._add(row, "parent_code", f"“{code}”成了自己的上级（经由“{parent}”形成循环）")
        elif (parent_level := self.level_of(parent)) is None:
            return  # the parent's own row says what is wrong
        elif row.derive_level and parent_level == BureauLevel.county:
            self._add(
                row, "level", f"上级“{parent}”已是{level_label(parent_level)}，其下不能再设下级"
            )
        elif row.level is not None and LEVEL_RANK[parent_level] >= LEVEL_RANK[row.level]:
            self._add(
                row,
                "level",
                f"{level_label(row.level)}单位不能隶属于{level_label(parent_level)}单位“{parent}”",
            )

    def _check_stored_child(self, child: Bureau) -> None:
        """A stored bureau below one the file changes must still sit below it."""
        parent = self.incoming[child.parent_code]  # type: ignore[index]
        level = self.level_of(parent.code)
        if level is None or self._in_cycle(parent.code):
            return
        if LEVEL_RANK[level] >= LEVEL_RANK[BureauLevel(child.level)]:
            self._add(
                parent,
                "level",
                f"“{parent.code}”为{level_label(level)}时，登记册中它的下级单位“{child.code}”"
                f"（{child.name}，{level_label(child.level)}）将不低于它；"
                "请在文件中一并调整下级单位的层级或上级",
            )

    def _add(self, row: BureauRow, column: str, message: str) -> None:
        self.problems.append(RowProblem(row.line, column, message))

    def level_of(self, code: str) -> BureauLevel | None:
        """A bureau's level after the import: given in the file, else one below its parent's
        (a root is a province); stored for bureaus the file leaves alone. None: unknown."""
        if code not in self._levels:
            self._levels[code] = None  # guards against cycles
            row = self.incoming.get(code)
            if row is None:
                stored = self.existing.get(code)
                self._levels[code] = BureauLevel(stored.level) if stored else None
            elif not row.derive_level:
                self._levels[code] = row.level
            elif row.parent_code is None:
                self._levels[code] = BureauLevel.province
            elif not self._in_cycle(code) and (parent := self.level_of(row.parent_code)):
                self._levels[code] = _BELOW.get(parent)
        return self._levels[code]

    def _in_cycle(self, code: str) -> bool:
        seen = {code}
        current = self.parent_of.get(code)
        while current is not None:
            if current in seen:
                return True
            seen.add(current)
            current = self.parent_of.get(current)
        return False

    def depth(self, code: str) -> int:
        n, current = 0, self.parent_of.get(code)
        while current is not None:
            n, current = n + 1, self.parent_of.get(current)
        return n


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
