"""What can go wrong with an answer, each with the Chinese message the bureau is shown."""

from __future__ import annotations

from dataclasses import dataclass

# Places a problem can point at besides a form field key and plan.schema.NARRATIVE_KEY.
ATTACHMENTS = "__attachments__"
UPLOAD = "__upload__"
CONFIRM_MISSING = "__confirm_missing__"  # an aggregate's confirmation of reporters left out


@dataclass(frozen=True)
class Problem:
    """One problem with an answer: `field` is a form field key, NARRATIVE_KEY, ATTACHMENTS,
    UPLOAD, CONFIRM_MISSING, or None for the answer as a whole."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


class ReplyError(Exception):
    """An answer that cannot be taken; .message is shown to the bureau as it stands."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ReportInvalid(ReplyError):
    """The answer has problems; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("；".join(p.message for p in problems))


class RequestClosed(ReplyError):
    """The request no longer takes answers (closed, or its campaign has ended)."""


class RequestSettled(ReplyError):
    """The answer was already accepted; a change goes through the office."""


class WrongLink(ReplyError):
    """The link is not meant for this action (e.g. a 签收 link used to send a report)."""


class UploadRejected(ReplyError):
    """An uploaded file refused before its content was read (size, type, macros, bomb)."""
