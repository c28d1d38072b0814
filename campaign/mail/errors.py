"""Why a message was refused before anything was stored or sent."""

from __future__ import annotations


class MailRefused(ValueError):
    """A message that cannot be queued: bad address, header injection, template or
    attachment failure. Nothing of it is stored; `reason` says why, plainly."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class SmtpUnavailable(ConnectionError):
    """The SMTP server could not be reached; messages stay pending for a later run.

    `report` is what the run did before the server went away (a SendReport)."""

    def __init__(self, reason: str, report: object | None = None) -> None:
        self.reason = reason
        self.report = report
        super().__init__(reason)
