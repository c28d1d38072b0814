"""Addresses and header text: validated before a message is stored (no header injection)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from campaign.mail.errors import MailRefused
from models.bureau import EMAIL_PATTERN

_EMAIL = re.compile(EMAIL_PATTERN)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def header_text(value: str, *, what: str) -> str:
    """value if it is safe in a mail header: one line, no control characters."""
    if "\r" in value or "\n" in value:
        raise MailRefused(f"{what} contains a line break (refused: header injection): {value!r}")
    if _CONTROL.search(value):
        raise MailRefused(f"{what} contains control characters: {value!r}")
    return value


def address(email: str, name: str = "", *, what: str = "address") -> Address:
    """A validated address; MailRefused names what is wrong."""
    header_text(name, what=f"the name of {what}")
    header_text(email, what=what)
    email = email.strip()
    if not _EMAIL.fullmatch(email):
        raise MailRefused(f"{what} {email!r} is not a valid e-mail address")
    return Address(name=name.strip(), email=email)


def parse_address(text: str, *, what: str = "address") -> Address:
    """'Name <a@b.org>' or 'a@b.org' as an Address (for cc lists given as text)."""
    header_text(text, what=what)
    match = re.fullmatch(r"\s*(.*?)\s*<([^<>]+)>\s*", text)
    if match:
        return address(match[2], match[1].strip('"'), what=what)
    return address(text, what=what)


def from_json(data: dict[str, str]) -> Address:
    return Address(name=data.get("name", ""), email=data["email"])
