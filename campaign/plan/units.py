"""Whom a plan addresses: unit selectors, groups and report recipients, and their resolution.

A selector chooses units of the registry by level, by kind, by group or by naming them, or
the issuing office itself. It is written in the plan as
- a level: `city`, `county`, `province` or `all` (bureaus at that level below the root);
- `office`: the issuing bureau itself (the plan's root_bureau);
- a mapping, one clause: `{level: county, kind: government}` (各县(区)政府),
  `{kind: [division, affiliate]}` (省局机关各处室、直属各单位), `{group: pilot}`,
  `{units: ["130600", "130623"]}` (codes, or names as the registry writes them); every
  criterion given must hold, a list matches any of
  its values; `label` (optional) is how documents call these units;
- a list of the above, or `{any_of: [...], label: ...}`: the units any clause matches.
A clause that names no kind, group or units matches bureaus only, so a level keeps meaning
what it meant when bureaus were the only kind. Levels and kinds are looked for below the
plan's root bureau; named units and group members wherever they are in the registry.

`resolve_units` is the one resolution, used by the launch, the tick and `campaign validate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from campaign.plan.fields import Line, Name, single_line

LevelName = Literal["province", "city", "county", "all"]
KindName = Literal["bureau", "government", "department", "division", "affiliate"]
UnitRef = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(single_line)]
"""A unit named in a plan: its code, or its name as the registry writes it (办公室)."""
GroupKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
LEVEL_SHORTHANDS = ("province", "city", "county", "all")
OFFICE = "office"


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clause(_Model):
    """Units matching every criterion given."""

    level: Annotated[list[LevelName], BeforeValidator(_listed)] = Field(
        default_factory=list, max_length=4
    )
    kind: Annotated[list[KindName], BeforeValidator(_listed)] = Field(
        default_factory=list, max_length=5
    )
    group: Annotated[list[GroupKey], BeforeValidator(_listed)] = Field(
        default_factory=list, max_length=50
    )
    units: Annotated[list[UnitRef], BeforeValidator(_listed)] = Field(
        default_factory=list, max_length=5000
    )
    office: bool = Field(default=False, description="The issuing bureau itself.")

    @model_validator(mode="after")
    def _office_alone(self) -> Clause:
        if self.office and (self.level or self.kind or self.group or self.units):
            raise ValueError("office（发文单位本身）不能与level、kind、group或units同时使用")
        return self

    @property
    def kinds(self) -> set[str]:
        """The kinds matched: bureaus only unless the clause names kinds, groups or units."""
        if self.kind:
            return set(self.kind)
        if self.group or self.units:
            return set(KindName.__args__)  # type: ignore[attr-defined]
        return {"bureau"}

    @property
    def levels(self) -> set[str] | None:
        """The levels matched; None: any."""
        return None if not self.level or "all" in self.level else set(self.level)


class Selector(_Model):
    """The units any clause matches; `label` names them in documents (各市州局)."""

    any_of: list[Clause] = Field(min_length=1, max_length=50)
    label: Line | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, value: Any) -> Any:
        if isinstance(value, str | Clause):
            value = {"any_of": [value]}
        elif isinstance(value, list):
            value = {"any_of": value}
        elif isinstance(value, Mapping) and "any_of" not in value:
            clause = {k: v for k, v in value.items() if k != "label"}
            value = {"any_of": [clause], **({"label": value["label"]} if "label" in value else {})}
        if isinstance(value, Mapping) and isinstance(value.get("any_of"), list):
            return {**value, "any_of": [_clause(item) for item in value["any_of"]]}
        return value

    @property
    def names_office(self) -> bool:
        return any(c.office for c in self.any_of)

    @property
    def groups(self) -> set[str]:
        return {g for c in self.any_of for g in c.group}

    @property
    def units(self) -> set[str]:
        return {u for c in self.any_of for u in c.units}

    def may_reach(self, level: str) -> bool:
        """Whether a clause names this level, or a group (which may hold units of any)."""
        return any(level in c.level or c.group for c in self.any_of)

    def shorthand(self) -> str | None:
        """The level shorthand this selector was written as, if it was one (`city`)."""
        if len(self.any_of) != 1:
            return None
        only = self.any_of[0]
        if only == Clause(level=only.level) and len(only.level) == 1:
            return only.level[0]
        return OFFICE if only.office else None


def _clause(item: Any) -> Any:
    if isinstance(item, str):
        if item == OFFICE:
            return {"office": True}
        if item in LEVEL_SHORTHANDS:
            return {"level": [item]}
        raise ValueError(
            f"“{item}”不是有效的单位范围：应为province、city、county、all、office之一，"
            "或含level、kind、group、units的映射"
        )
    return item


def selector(value: Any) -> Selector:
    return Selector.model_validate(value)


class UnitGroup(_Model):
    """A named set of units (试点单位), given in the plan; the registry may add members."""

    key: GroupKey
    name: Name
    units: list[UnitRef] = Field(default_factory=list, max_length=5000)


RecipientTo = Literal["office", "parent", "government", "unit"]


class Recipient(_Model):
    """To whom a duty's report goes: the plan's office, the reporting unit's parent, its own
    government (本级政府), or a named unit (a department, a 处室)."""

    to: RecipientTo
    unit: UnitRef | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value in ("office", "parent", "government"):
                return {"to": value}
            raise ValueError(
                f"“{value}”不是有效的报送对象：应为office、parent、government之一，"
                "或{unit: 单位代码}"
            )
        if isinstance(value, Mapping) and "to" not in value and "unit" in value:
            return {"to": "unit", **value}
        return value

    @model_validator(mode="after")
    def _unit_given(self) -> Recipient:
        if (self.to == "unit") != (self.unit is not None):
            raise ValueError("报送对象为指定单位时须且只须给出unit（单位代码）")
        return self


DEFAULT_RECIPIENTS = (Recipient(to="office"),)


# Resolution --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A unit of the registry as resolution needs it."""

    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None = None
    government_code: str | None = None
    groups: tuple[str, ...] = ()
    active: bool = True


@dataclass
class Registry:
    """The registry's units by code, with the plan's groups added to their members."""

    units: dict[str, Unit]
    root: str | None = None
    members: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, units: Iterable[Unit], *, root: str | None, groups: Sequence[UnitGroup] = ()
    ) -> Registry:
        by_code = {u.code: u for u in units}
        members: dict[str, set[str]] = {}
        for unit in by_code.values():
            for key in unit.groups:
                members.setdefault(key, set()).add(unit.code)
        registry = cls(by_code, root, members)
        for group in groups:
            found = {u.code for ref in group.units for u in registry.lookup(ref)}
            members.setdefault(group.key, set()).update(found)
        return registry

    def lookup(self, ref: str) -> list[Unit]:
        """The units a plan names: by code, else by name (those below the root first: 办公室
        is the issuing bureau's, not another's)."""
        if ref in self.units:
            return [self.units[ref]]
        named = [u for u in self.units.values() if u.name == ref]
        below = [u for u in named if self.below_root(u)]
        return sorted(below or named, key=lambda u: u.code)

    def below_root(self, unit: Unit) -> bool:
        """Whether a unit lies below the root (any unit with a parent when there is none)."""
        if self.root is None:
            return unit.parent_code is not None
        current, seen = unit.parent_code, {unit.code}
        while current is not None and current not in seen:
            if current == self.root:
                return True
            seen.add(current)
            parent = self.units.get(current)
            current = parent.parent_code if parent else None
        return False


def resolve_units(chosen: Selector, registry: Registry) -> list[Unit]:
    """The active units a selector chooses, in code order."""
    found: dict[str, Unit] = {}
    for clause in chosen.any_of:
        for unit in _matches(clause, registry):
            found[unit.code] = unit
    return [found[code] for code in sorted(found)]


def _matches(clause: Clause, registry: Registry) -> Iterable[Unit]:
    if clause.office:
        root = registry.units.get(registry.root) if registry.root else None
        return [root] if root is not None and root.active else []
    candidates: Iterable[Unit]
    if clause.units:
        candidates = [u for ref in clause.units for u in registry.lookup(ref)]
    elif clause.group:
        codes = set().union(*(registry.members.get(g, set()) for g in clause.group))
        candidates = [registry.units[c] for c in codes if c in registry.units]
    else:
        candidates = [u for u in registry.units.values() if registry.below_root(u)]
    kinds, levels = clause.kinds, clause.levels
    groups = set(clause.group)
    return [
        u
        for u in candidates
        if u.active
        and u.kind in kinds
        and (levels is None or u.level in levels)
        and (not groups or any(u.code in registry.members.get(g, ()) for g in groups))
    ]


@dataclass(frozen=True)
class Addressee:
    """One recipient of a report: a unit of the registry (code) or the plan's office."""

    name: str
    code: str | None = None


def resolve_recipients(
    recipients: Sequence[Recipient], reporter: Unit, registry: Registry, *, office_name: str
) -> tuple[list[Addressee], list[Recipient]]:
    """To whom a reporter's report goes, and the recipients it has none for (no government,
    no parent, a named unit missing from the registry)."""
    found: list[Addressee] = []
    missing: list[Recipient] = []
    for recipient in recipients:
        if recipient.to == "office":
            found.append(Addressee(office_name))
            continue
        code = {"parent": reporter.parent_code, "government": reporter.government_code}.get(
            recipient.to
        )
        units = registry.lookup(code or "") if code else registry.lookup(recipient.unit or "")
        if recipient.to == "unit" and len(units) > 1:
            units = []  # a name several units bear: say which by code
        if units:
            found.append(Addressee(units[0].name, units[0].code))
        else:
            missing.append(recipient)
    unique = list(dict.fromkeys(found))
    return unique, missing
