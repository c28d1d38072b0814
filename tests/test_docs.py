"""Docs guard: every CLI command has help text and appears in the README."""

from __future__ import annotations

from pathlib import Path

import click
import typer

from campaign.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "campaign") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += commands(command, path)
        else:
            found.append((path, command))
    return found


def test_every_command_has_help_and_is_in_the_readme() -> None:
    listed = commands(typer.main.get_command(app))  # type: ignore[arg-type]
    assert listed
    missing_help = [path for path, command in listed if not (command.help or "").strip()]
    assert missing_help == []
    missing_docs = [path for path, _ in listed if f"`{path}" not in README]
    assert missing_docs == []
