"""The coordinator's login: one password (settings.coordinator_password), a signed session
cookie, and per-session form tokens. No password configured: no coordinator pages at all."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

SESSION_COOKIE = "coord_session"
LOGIN_COOKIE = "coord_login"
SESSION_MAX_AGE = 12 * 3600


@dataclass(frozen=True)
class CoordinatorSession:
    name: str
    session_id: str


class CoordinatorAuth:
    def __init__(self, *, secret: str, password: str | None) -> None:
        self.password = password or None
        material = f"coordinator|{secret}|{self.password or ''}".encode()
        # Changing the password or the secret ends every session.
        self._key = hashlib.sha256(material).digest()

    @property
    def enabled(self) -> bool:
        return self.password is not None

    def check_password(self, given: str) -> bool:
        if self.password is None:
            return False
        return hmac.compare_digest(given.encode(), self.password.encode())

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def make_session(self, name: str, *, now: float | None = None) -> str:
        data = {"n": name[:50], "s": secrets.token_urlsafe(12), "t": int(now or time.time())}
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return f"{payload}.{self._sign(payload)}"

    def read_session(
        self, cookie: str | None, *, now: float | None = None
    ) -> CoordinatorSession | None:
        if not self.enabled or not cookie or len(cookie) > 500 or "." not in cookie:
            return None
        payload, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            issued, name, session_id = int(data["t"]), str(data["n"]), str(data["s"])
        except (ValueError, KeyError, TypeError):
            return None
        current = time.time() if now is None else now
        if not (issued - 60 <= current <= issued + SESSION_MAX_AGE):
            return None
        return CoordinatorSession(name=name, session_id=session_id)
