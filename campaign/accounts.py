"""Console accounts: each unit's own logins, their roles and what they may see.

An account belongs to one unit of the registry and has a role: office (the issuing office:
every unit, every action), coordinator (its unit and the units below it: read and act) or
viewer (the same units, read only). Passwords are kept only as argon2id hashes.

The shared coordinator password (settings.coordinator_password) is the migration path:
it opens the console as the office only while no account exists; the first account
created ends it (docs/console.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from campaign.audit import record_audit
from campaign.i18n import _
from models.account import AccountRole, ConsoleAccount
from models.audit import Channel
from models.bureau import Bureau, normalize_key

MIN_PASSWORD = 10
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the username is unknown, so a wrong name costs the same time as a
    wrong password. Hashed on first use, not at import: an argon2 hash costs about 0.15 s
    of CPU and 64 MiB, which every process importing this module paid (each tick's too);
    the first unknown name a process sees costs that hash once more."""
    return _HASHER.hash("not-a-password-of-anyone")


class AccountError(ValueError):
    """A clear message for the person (Chinese by default)."""


@dataclass(frozen=True)
class Scope:
    """What a logged-in person may see: units None = every unit (the office)."""

    username: str | None
    role: AccountRole
    unit_code: str | None
    units: frozenset[str] | None

    @property
    def may_act(self) -> bool:
        return self.role is not AccountRole.viewer

    @property
    def is_office(self) -> bool:
        return self.role is AccountRole.office

    def sees(self, unit_code: str | None) -> bool:
        return self.units is None or unit_code in self.units


OFFICE = Scope(username=None, role=AccountRole.office, unit_code=None, units=None)
"""The shared-password login (only while no account exists)."""


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("The password needs at least {n} characters.").format(n=MIN_PASSWORD))


def _username(value: str) -> str:
    name = normalize_key(value).lower()
    if not name or len(name) > 50 or not set(name) <= USERNAME_CHARS:
        raise AccountError(
            _("User name {name!r}: use 1 to 50 letters, digits, '.', '_' or '-'.").format(
                name=value
            )
        )
    return name


def any_account(session: Session) -> bool:
    return session.exec(select(ConsoleAccount.username).limit(1)).first() is not None


def _audit(
    session: Session, event: str, account: ConsoleAccount, actor: str, channel: Channel
) -> None:
    record_audit(
        session=session,
        event=event,
        actor=actor,
        channel=channel,
        bureau_code=account.unit_code,
        username=account.username,
        role=account.role.value,
    )


def add_account(
    *,
    session: Session,
    username: str,
    unit_code: str,
    role: str,
    password: str,
    actor: str = "cli",
    channel: Channel = Channel.cli,
) -> ConsoleAccount:
    """Every problem at once; nothing is stored unless all is right. Audited (never the
    password) with the person who made it."""
    problems: list[str] = []
    try:
        name = _username(username)
        if session.get(ConsoleAccount, name) is not None:
            problems.append(_("User name {name!r} is already taken.").format(name=name))
    except AccountError as exc:
        name = username
        problems.append(str(exc))
    code = normalize_key(unit_code)
    if session.get(Bureau, code) is None:
        problems.append(_("Unit {code!r} is not in the registry.").format(code=unit_code))
    if role not in {r.value for r in AccountRole}:
        problems.append(_("Role {role!r}: use office, coordinator or viewer.").format(role=role))
    try:
        _check_password(password)
    except AccountError as exc:
        problems.append(str(exc))
    if problems:
        raise AccountError("\n".join(problems))
    account = ConsoleAccount(
        username=name, unit_code=code, role=AccountRole(role), password_hash=hash_password(password)
    )
    session.add(account)
    session.flush()
    _audit(session, "account_added", account, actor, channel)
    return account


def _get(session: Session, username: str) -> ConsoleAccount:
    account = session.get(ConsoleAccount, normalize_key(username).lower())
    if account is None:
        raise AccountError(_("No account {name!r}.").format(name=username))
    return account


def set_password(
    *,
    session: Session,
    username: str,
    password: str,
    actor: str = "cli",
    channel: Channel = Channel.cli,
) -> None:
    account = _get(session, username)
    _check_password(password)
    account.password_hash = hash_password(password)
    session.add(account)
    _audit(session, "account_password_set", account, actor, channel)


def disable_account(
    *, session: Session, username: str, actor: str = "cli", channel: Channel = Channel.cli
) -> None:
    """The account can no longer log in; its open sessions stop at their next request."""
    account = _get(session, username)
    account.disabled = True
    session.add(account)
    _audit(session, "account_disabled", account, actor, channel)


def list_accounts(*, session: Session) -> list[ConsoleAccount]:
    return list(session.exec(select(ConsoleAccount).order_by(col(ConsoleAccount.username))).all())


def authenticate(*, session: Session, username: str, password: str) -> ConsoleAccount | None:
    """The enabled account whose password this is, else None (same work either way)."""
    try:
        name = _username(username)
    except AccountError:
        name = ""
    account = session.get(ConsoleAccount, name) if name else None
    stored = account.password_hash if account is not None else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or account.disabled:
        return None
    return account


def descendants(session: Session, code: str) -> frozenset[str]:
    """The unit and every unit below it (by parent)."""
    children: dict[str, list[str]] = {}
    for child, parent in session.exec(select(Bureau.code, Bureau.parent_code)).all():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    seen, stack = {code}, [code]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return frozenset(seen)


def scope_of(session: Session, username: str) -> Scope | None:
    """What the enabled account may see now; None if it is gone or disabled."""
    account = session.get(ConsoleAccount, username)
    if account is None or account.disabled:
        return None
    units = None if account.role is AccountRole.office else descendants(session, account.unit_code)
    return Scope(
        username=account.username, role=account.role, unit_code=account.unit_code, units=units
    )
