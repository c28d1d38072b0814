"""The console login: each unit's own accounts (campaign/accounts.py), sessions kept
server-side (table coordinator_session), and per-session form tokens. The shared password
(settings.coordinator_password) logs in as the office only while no account exists (the
migration path); neither a password nor an account: no coordinator pages at all.

The session cookie is a random id; the table keeps only its HMAC (keyed by the secret and
the password, so changing either ends every session). Each login makes a new id and
ends the one the browser presented, so an id planted before login never becomes valid;
logging out deletes the row, so a copied cookie stops working at once. A browser that
logged in also gets a signed device cookie that the login throttle counts on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from campaign.accounts import OFFICE, Scope, any_account, scope_of
from campaign.clock import utc
from models.coordinator_session import CoordinatorSession

SESSION_COOKIE = "coord_session"
LOGIN_COOKIE = "coord_login"
DEVICE_COOKIE = "coord_device"
SESSION_MAX_AGE = 12 * 3600
DEVICE_MAX_AGE = 180 * 24 * 3600


@dataclass(frozen=True)
class Coordinator:
    """Who is logged in; session_id is the stored hash (binds the pages' form tokens);
    scope: the units they see and whether they may act (read fresh at every request)."""

    name: str
    session_id: str
    scope: Scope = OFFICE


class CoordinatorAuth:
    def __init__(self, *, secret: str, password: str | None) -> None:
        self.password = password or None
        material = f"coordinator|{secret}|{self.password or ''}".encode()
        self._key = hashlib.sha256(material).digest()

    @property
    def enabled(self) -> bool:
        """A shared password is configured (only used while no account exists)."""
        return self.password is not None

    def open(self, session: Session) -> bool:
        """Whether the login page is open at all: a shared password or an account."""
        return self.enabled or any_account(session)

    def check_password(self, given: str) -> bool:
        if self.password is None:
            return False
        return hmac.compare_digest(given.encode(), self.password.encode())

    def _sign(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()

    def _row_key(self, cookie: str | None) -> str | None:
        if not cookie or len(cookie) > 100:
            return None
        return self._sign("session", cookie)

    def start_session(
        self,
        session: Session,
        name: str,
        *,
        now: datetime,
        replacing: str | None = None,
        username: str | None = None,
    ) -> str:
        """A new session (its cookie value); the presented one (replacing) ends, as do the
        expired ones."""
        now = utc(now)
        stale = col(CoordinatorSession.expires_at) <= now
        old = self._row_key(replacing)
        if old is not None:
            stale = stale | (col(CoordinatorSession.id_hash) == old)
        session.execute(delete(CoordinatorSession).where(stale))
        cookie = secrets.token_urlsafe(32)
        session.add(
            CoordinatorSession(
                id_hash=self._sign("session", cookie),
                name=name[:50],
                username=username,
                created_at=now,
                expires_at=now + timedelta(seconds=SESSION_MAX_AGE),
            )
        )
        return cookie

    def read_session(
        self, session: Session, cookie: str | None, *, now: datetime
    ) -> Coordinator | None:
        key = self._row_key(cookie)
        row = session.get(CoordinatorSession, key) if key else None
        if row is None or utc(row.expires_at) <= utc(now):
            return None
        if row.username is None:  # the shared password: only before the first account
            if any_account(session):
                return None
            return Coordinator(name=row.name, session_id=row.id_hash[:32])
        scope = scope_of(session, row.username)
        if scope is None:  # disabled or removed since
            return None
        return Coordinator(name=row.username, session_id=row.id_hash[:32], scope=scope)

    def end_session(self, session: Session, cookie: str | None) -> None:
        key = self._row_key(cookie)
        if key is not None:
            rows = delete(CoordinatorSession).where(col(CoordinatorSession.id_hash) == key)
            session.execute(rows)

    def make_device(self) -> str:
        device = secrets.token_urlsafe(12)
        return f"{device}.{self._sign('device', device)[:32]}"

    def read_device(self, cookie: str | None) -> str | None:
        """The device id of a genuine device cookie, else None."""
        if not cookie or len(cookie) > 100 or "." not in cookie:
            return None
        device, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign("device", device)[:32]):
            return None
        return device
