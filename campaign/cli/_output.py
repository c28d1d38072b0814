"""Output helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show each warning (e.g. a year without holiday data) once, plainly, on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for message in {str(w.message) for w in caught}:
                print(f"warning: {message}", file=sys.stderr)


def display_width(text: str) -> int:
    """Columns a terminal gives text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """text left-aligned in `width` terminal columns."""
    return text + " " * max(width - display_width(text), 0)
