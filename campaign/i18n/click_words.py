"""Typer's own words (help panels, usage errors) through the one catalogue.

Typer 0.29 carries its own copy of click whose messages are fixed English strings; the
panel titles are module constants of typer.rich_utils and the usage errors are built with
f-strings. localize_typer() sets the constants and translates an error's message by the
patterns below before Typer prints it; it is called at the start of every command.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from campaign.i18n import N_, _

PANEL_TITLES = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
HELP_OPTION = N_("Show this message and exit.")
USAGE = N_("Usage: ")

# (pattern of Typer's English message, catalogue message with the same named groups)
ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing argument '(?P<name>[^']*)'\.$"), N_("Missing argument '{name}'.")),
    (re.compile(r"^Missing option '(?P<name>[^']*)'\.$"), N_("Missing option '{name}'.")),
    (re.compile(r"^No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (re.compile(r"^No such command '(?P<name>[^']*)'\.$"), N_("No such command '{name}'.")),
    (
        re.compile(r"^Invalid value for (?P<name>'[^']*'): (?P<reason>.*)$", re.S),
        N_("Invalid value for {name}: {reason}"),
    ),
    (
        re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$"),
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (
        re.compile(r"^Option '(?P<name>[^']*)' requires an argument\.$"),
        N_("Option '{name}' requires an argument."),
    ),
    (
        re.compile(r"^'(?P<value>.*)' is not a valid (?P<type>integer|float)\.$"),
        N_("'{value}' is not a valid number."),
    ),
    (
        re.compile(r"^'(?P<value>.*)' is not one of (?P<choices>.*)\.$"),
        N_("'{value}' is not one of {choices}."),
    ),
]


def translate_error(message: str) -> str:
    for pattern, template in ERRORS:
        match = pattern.match(message.strip())
        if match:
            groups = match.groupdict()
            if "reason" in groups:
                groups["reason"] = translate_error(groups["reason"])
            return _(template).format(**groups)
    return message


def localize_typer() -> None:
    """Set Typer's words in the current language (panel titles, usage, errors, --help)."""
    from typer import rich_utils
    from typer._click import core, formatting

    for name, message in PANEL_TITLES.items():
        setattr(rich_utils, name, _(message))
    patches: list[tuple[Any, str, Callable[[Any], Any]]] = [
        (rich_utils, "rich_format_error", _translating),
        (formatting.HelpFormatter, "write_usage", _usage),
        (core.Command, "get_help_option", _help_option),
    ]
    for owner, name, wrap in patches:
        if not getattr(getattr(owner, name), "_campaign", False):
            setattr(owner, name, wrap(getattr(owner, name)))


def _translating(original: Callable[[Any], None]) -> Callable[[Any], None]:
    def rich_format_error(self: Any) -> None:
        english = self.format_message
        self.format_message = lambda: translate_error(english())
        original(self)

    rich_format_error._campaign = True  # type: ignore[attr-defined]
    return rich_format_error


def _usage(original: Callable[..., None]) -> Callable[..., None]:
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, _(USAGE) if prefix is None else prefix)

    write_usage._campaign = True  # type: ignore[attr-defined]
    return write_usage


def _help_option(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = _(HELP_OPTION)
        return option

    get_help_option._campaign = True  # type: ignore[attr-defined]
    return get_help_option
