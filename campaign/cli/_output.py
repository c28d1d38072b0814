"""Output helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from campaign.i18n import _
from campaign.mail.sender import deliver_now


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def failing(*errors: type[Exception], code: int = 1) -> Iterator[None]:
    """An error of these kinds (a refusal whose message is for the user) ends the command
    as `fail` does: its message on stderr, exit `code`."""
    try:
        yield
    except errors as exc:
        fail(str(exc), code)


def deliver_queued(unavailable: str) -> None:
    """Send the e-mail just queued now, as the web app does; `unavailable` (with {reason})
    says what happens to it when the mail server cannot be reached."""
    result = deliver_now()
    if result["unavailable"]:
        typer.echo(unavailable.format(reason=result["unavailable"]))
    else:
        typer.echo(
            _("E-mail: {sent} sent, {failed} failed.").format(
                sent=result["sent"], failed=result["failed"]
            )
        )


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show each warning (e.g. a year without holiday data) once, plainly, on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for message in {str(w.message) for w in caught}:
                print(_("warning: {message}").format(message=message), file=sys.stderr)


def display_width(text: str) -> int:
    """Columns a terminal gives text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """text left-aligned in `width` terminal columns."""
    return text + " " * max(width - display_width(text), 0)


def echo_problems(header: str, problems: Iterable[object]) -> NoReturn:
    """A header and one indented line per problem on stderr, then exit 1."""
    typer.echo(header, err=True)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)
