"""The unit registry: import from CSV (all or nothing), and the units a selector chooses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, select

from campaign.bureau_csv import (
    BureauImportError,
    BureauRow,
    RowProblem,
    decode_csv,
    kind_label,
    level_label,
    parse_bureau_csv,
)
from campaign.plan.schema import Duty, Plan
from campaign.plan.units import Registry, Selector, Unit, resolve_recipients, resolve_units
from models.bureau import Bureau, BureauLevel, UnitKind

__all__ = ["BureauImportError", "ImportSummary", "RowProblem", "import_bureau_csv"]

LEVEL_RANK = {BureauLevel.province: 0, BureauLevel.city: 1, BureauLevel.county: 2}
_BELOW = {BureauLevel.province: BureauLevel.city, BureauLevel.city: BureauLevel.county}
STEPPING = {UnitKind.bureau, UnitKind.government}
"""Kinds one level below their parent (a root is provincial); the others share their
parent's level (a 处室 of the provincial bureau is provincial)."""
PARENT_KINDS = {
    UnitKind.bureau: {UnitKind.bureau},
    UnitKind.government: {UnitKind.government},
    UnitKind.department: {UnitKind.government},
    UnitKind.division: {UnitKind.bureau, UnitKind.department, UnitKind.affiliate},
    UnitKind.affiliate: {UnitKind.bureau, UnitKind.department},
}
"""The kinds a unit's parent may be of; only bureaus and governments may have none."""


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
    rows = [_keep_stored(row, existing.get(row.code)) for row in rows]
    tree = _Tree(rows, existing)
    problems += tree.check()
    if problems:
        raise BureauImportError(problems)
    created = updated = 0
    # Governments, then parents first, so foreign keys hold at every insert.
    order = sorted(tree.incoming, key=lambda c: (tree.kind_of[c] != "government", tree.depth(c), c))
    for code in order:
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


def _keep_stored(row: BureauRow, stored: Bureau | None) -> BureauRow:
    """A row of a file without the kind, government_code or groups column keeps the stored
    unit's values (a Hubei-style file updating addresses leaves kinds and groups alone)."""
    if stored is None or not row.absent:
        return row
    kept = {column: getattr(stored, column) for column in row.absent}
    return replace(
        row,
        kind=UnitKind(kept.get("kind", row.kind)) if row.kind else None,
        government_code=kept.get("government_code", row.government_code),
        bureau=row.bureau.model_copy(update=kept) if row.bureau else None,
    )


def units_of_csv(raw: bytes) -> list[Unit]:
    """The units a registry CSV holds, checked as an import into an empty registry would
    check them (BureauImportError), without a database: `campaign validate --bureaus`."""
    rows, problems = parse_bureau_csv(decode_csv(raw))
    tree = _Tree(rows, {})
    problems += tree.check()
    if problems:
        raise BureauImportError(problems)
    units = []
    for code, row in tree.incoming.items():
        assert row.bureau is not None
        level = tree.level_of(code)
        assert level is not None
        units.append(as_unit(Bureau.model_validate(row.bureau.model_dump() | {"level": level})))
    return units


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
        self.kind_of: dict[str, UnitKind | None] = {
            code: UnitKind(b.kind) for code, b in existing.items()
        }
        self.kind_of.update({code: r.kind for code, r in self.incoming.items()})
        self._levels: dict[str, BureauLevel | None] = {}

    def check(self) -> list[RowProblem]:
        for code, row in self.incoming.items():
            self._check_parent(code, row)
            self._check_government(row)
        for child in self.existing.values():
            if child.parent_code in self.incoming and child.code not in self.incoming:
                self._check_stored_child(child)
        return self.problems

    def _check_parent(self, code: str, row: BureauRow) -> None:
        parent, kind = row.parent_code, row.kind
        if parent is None:
            if kind is not None and kind not in STEPPING:
                self._add(row, "parent_code", f"{kind_label(kind)}须填写上级单位代码")
            return
        if parent not in self.parent_of:
            self._add(row, "parent_code", f"上级代码“{parent}”在文件和单位登记册中都不存在")
            return
        if self._in_cycle(code):
            self._add(row, "parent_code", f"“{code}”成了自己的上级（经由“{parent}”形成循环）")
            return
        parent_kind = self.kind_of.get(parent)
        if kind is None or parent_kind is None:
            return  # the row's (or its parent's) kind problem is reported already
        if parent_kind not in PARENT_KINDS[kind]:
            allowed = "或".join(kind_label(k) for k in sorted(PARENT_KINDS[kind]))
            self._add(
                row,
                "parent_code",
                f"{kind_label(kind)}的上级应为{allowed}，而“{parent}”是{kind_label(parent_kind)}",
            )
            return
        if (parent_level := self.level_of(parent)) is None:
            return  # the parent's own row says what is wrong
        if kind not in STEPPING:
            if row.level is not None and row.level != parent_level:
                self._add(
                    row,
                    "level",
                    f"{kind_label(kind)}与其上级“{parent}”同级，应为{level_label(parent_level)}"
                    "（也可留空）",
                )
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

    def _check_government(self, row: BureauRow) -> None:
        government = row.government_code
        if government is None:
            return
        if government not in self.kind_of:
            self._add(
                row,
                "government_code",
                f"本级政府代码“{government}”在文件和单位登记册中都不存在",
            )
        elif (kind := self.kind_of[government]) not in (UnitKind.government, None):
            self._add(
                row,
                "government_code",
                f"“{government}”是{kind_label(kind)}，不是{kind_label(UnitKind.government)}",
            )

    def _check_stored_child(self, child: Bureau) -> None:
        """A stored bureau below one the file changes must still sit below it."""
        parent = self.incoming[child.parent_code]  # type: ignore[index]
        level = self.level_of(parent.code)
        if level is None or self._in_cycle(parent.code):
            return
        rank, child_rank = LEVEL_RANK[level], LEVEL_RANK[BureauLevel(child.level)]
        if rank > child_rank if UnitKind(child.kind) not in STEPPING else rank >= child_rank:
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
                self._levels[code] = _BELOW.get(parent) if row.kind in STEPPING else parent
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


def load_registry(*, session: Session, plan: Plan) -> Registry:
    """The registry as selectors see it: every unit, the plan's root and groups."""
    units = [as_unit(b) for b in session.exec(select(Bureau)).all()]
    return Registry.of(units, root=plan.root_bureau, groups=plan.groups)


def as_unit(bureau: Bureau) -> Unit:
    return Unit(
        code=bureau.code,
        name=bureau.name,
        kind=str(bureau.kind),
        level=str(bureau.level),
        parent_code=bureau.parent_code,
        government_code=bureau.government_code,
        groups=tuple(bureau.groups or ()),
        active=bureau.active,
    )


def select_units(*, session: Session, plan: Plan, chosen: Selector) -> list[str]:
    """The codes of the active units a selector of the plan chooses (campaign.plan.units)."""
    return [u.code for u in resolve_units(chosen, load_registry(session=session, plan=plan))]


def addressed_units(*, session: Session, plan: Plan) -> list[str]:
    """Every active unit the plan addresses: its directives' recipients and its reporters."""
    registry = load_registry(session=session, plan=plan)
    chosen = [plan.directive_to, *(d.reporters for d in plan.duties)]
    return sorted({u.code for s in chosen for u in resolve_units(s, registry)})


def report_recipients(
    *, session: Session, plan: Plan, duty: Duty, codes: Sequence[str]
) -> dict[str, list[dict[str, str | None]]]:
    """To whom each reporter's report on a duty goes, as stored on its request:
    [{name, code}] (code None: the plan's office). A recipient the registry lacks (no own
    government, say) is left out; `campaign validate --bureaus` warns about it."""
    registry = load_registry(session=session, plan=plan)
    found = {}
    for code in codes:
        unit = registry.units.get(code)
        if unit is None:
            continue
        addressees, _missing = resolve_recipients(
            duty.recipients, unit, registry, office_name=plan.office.name
        )
        found[code] = [{"name": a.name, "code": a.code} for a in addressees]
    return found


def parent_of(*, session: Session, code: str) -> Bureau | None:
    bureau = session.get(Bureau, code)
    return session.get(Bureau, bureau.parent_code) if bureau and bureau.parent_code else None


def list_bureaus(*, session: Session) -> Iterable[Bureau]:
    return session.exec(select(Bureau).order_by(Bureau.code)).all()
