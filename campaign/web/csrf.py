"""Form tokens against cross-site request forgery: signed, bound to a scope, with a nonce.

A token is "{nonce}.{issued}.{signature}", the signature an HMAC over the scope (a link,
a coordinator session, the login form), the nonce and the time. Bureau and login forms
also carry it in a cookie (double submit); the nonce of a bureau form becomes the
idempotency key of the answer, so a double submit stores once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

DEFAULT_MAX_AGE = 2 * 24 * 3600


class FormTokens:
    def __init__(self, secret: str, *, max_age: int = DEFAULT_MAX_AGE) -> None:
        self._key = hashlib.sha256(b"form-token|" + secret.encode()).digest()
        self.max_age = max_age

    def _sign(self, scope: str, nonce: str, issued: int) -> str:
        message = f"{scope}|{nonce}|{issued}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def issue(self, scope: str, *, now: float | None = None) -> str:
        nonce = secrets.token_urlsafe(18)
        issued = int(time.time() if now is None else now)
        return f"{nonce}.{issued}.{self._sign(scope, nonce, issued)}"

    def verify(self, token: str | None, scope: str, *, now: float | None = None) -> str | None:
        """The token's nonce when it is genuine, for this scope, and not too old; else None."""
        if not token or len(token) > 120:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        nonce, issued_text, signature = parts
        issued = int(issued_text)
        current = time.time() if now is None else now
        if not (issued - 60 <= current <= issued + self.max_age):
            return None
        if not hmac.compare_digest(signature, self._sign(scope, nonce, issued)):
            return None
        return nonce
