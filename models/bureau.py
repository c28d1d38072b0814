"""Units: the registry of those that receive and answer, each with a parent.

A unit has a kind (a bureau of the province → city → county tree, a government, one of its
departments, an internal 处室 or a 直属单位), a level (derived from its parent when left
empty), optionally its own government, and the groups it belongs to (e.g. 试点单位). The
table keeps the name "bureau" it had when bureaus were the only kind.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models._common import enum_column

EMAIL_PATTERN = r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$"
CODE_PATTERN = r"[A-Za-z0-9_-]+"
# Spaces trimmed from both ends of every field: ASCII, the ideographic space, no-break space.
EDGE_SPACES = " \t\u3000\u00a0"
# Characters no field may hold: controls (NUL, \v, \x1f, DEL, C1, …), invisible format
# characters (zero-width, bidi overrides, BOM), line and paragraph separators. They break
# mail headers, PostgreSQL text (NUL), documents (XML) and look-alike checks.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def normalize_key(value: str) -> str:
    """A code or address as typed, in its one canonical form: full-width digits and letters
    (４２０１００) become ASCII (NFKC) and surrounding spaces go, so no second bureau appears."""
    return unicodedata.normalize("NFKC", value).strip(EDGE_SPACES)


def invisible_character(value: str) -> str | None:
    """The first control or invisible character in value, if any."""
    return next((c for c in value if unicodedata.category(c) in _INVISIBLE_CATEGORIES), None)


class BureauLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"


class UnitKind(StrEnum):
    bureau = "bureau"  # a bureau of the province → city → county tree (省局, 市局, 县局)
    government = "government"  # a people's government (省/市/县人民政府)
    department = "department"  # a department of a government (政府部门, 牵头单位)
    division = "division"  # an internal division of a unit (机关处室)
    affiliate = "affiliate"  # a directly affiliated unit (直属单位)


GROUP_PATTERN = r"[a-z][a-z0-9_-]*"


class BureauBase(SQLModel):
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    parent_code: str | None = Field(default=None, foreign_key="bureau.code", index=True)
    level: BureauLevel = enum_column(BureauLevel)
    kind: UnitKind = enum_column(UnitKind, default=UnitKind.bureau)
    government_code: str | None = Field(
        default=None, foreign_key="bureau.code", max_length=32, description="本级政府."
    )
    groups: list[str] = Field(default_factory=list, sa_type=JSON)
    email: str = Field(max_length=254)
    contact: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=50)


class Bureau(BureauBase, table=True):
    active: bool = True


class BureauCreate(BureauBase):
    """A bureau as read from a CSV row: every field validated before anything is stored.

    Messages are Chinese: they reach the coordinator who prepared the file."""

    @field_validator("code", "parent_code", "government_code", "email", "phone", mode="before")
    @classmethod
    def _normalize_key(cls, value: Any) -> Any:
        return normalize_key(value) if isinstance(value, str) else value

    @field_validator("name", "contact", mode="before")
    @classmethod
    def _trim(cls, value: Any) -> Any:
        return value.strip(EDGE_SPACES) if isinstance(value, str) else value

    @field_validator("code", "name", "parent_code", "email", "contact", "phone")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        found = invisible_character(value or "")
        if found in ("\r", "\n", "\u2028", "\u2029"):
            raise ValueError("不能换行，须写在一行内")
        if found is not None:
            raise ValueError(f"含有不可见的控制字符（U+{ord(found):04X}），请删除后重新导入")
        return value

    @field_validator("code", "name", "email")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("不能为空")
        return value

    @field_validator("code", "parent_code", "government_code")
    @classmethod
    def _code_chars(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(CODE_PATTERN, value):
            raise ValueError(f"“{value}”只能由字母、数字、“-”和“_”组成")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not re.fullmatch(EMAIL_PATTERN, value):
            raise ValueError(f"“{value}”不是有效的电子邮件地址")
        return value

    @field_validator("groups")
    @classmethod
    def _group_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            if not re.fullmatch(GROUP_PATTERN, key) or len(key) > 64:
                raise ValueError(
                    f"分组“{key}”只能由小写字母、数字、“-”和“_”组成，以字母开头，不超过64个字符"
                )
        return sorted(set(value))
