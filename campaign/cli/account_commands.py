"""`campaign accounts add | list | disable | passwd`: each unit's own console logins."""

from __future__ import annotations

import getpass
import sys

import typer

from campaign.accounts import (
    AccountError,
    add_account,
    disable_account,
    list_accounts,
    set_password,
)
from campaign.cli._output import fail, failing
from campaign.db import session_scope
from campaign.i18n import _

accounts_app = typer.Typer(
    help=_("Console accounts: each unit's coordinators log in with their own."),
    no_args_is_help=True,
)
STDIN_HELP = _("Read the password from the first line of standard input (no prompt).")


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Password again: ")) != first:
        fail(_("The two passwords differ; nothing changed."))
    return first


@accounts_app.command("add")
def add(
    username: str = typer.Argument(..., help=_("User name to log in with.")),
    unit: str = typer.Option(..., "--unit", help=_("Code of the account's unit.")),
    role: str = typer.Option(..., "--role", help=_("office, coordinator or viewer.")),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Create an account (the password is stored only as an argon2 hash)."""
    password = _password(password_stdin)
    with failing(AccountError), session_scope() as session:
        account = add_account(
            session=session, username=username, unit_code=unit, role=role, password=password
        )
        name = account.username
    typer.echo(_("Account {name} created.").format(name=name))


@accounts_app.command("list")
def list_() -> None:
    """The accounts: user name, unit, role, disabled or not."""
    with session_scope() as session:
        rows = [
            (a.username, a.unit_code, a.role.value, a.disabled)
            for a in list_accounts(session=session)
        ]
    if not rows:
        typer.echo(_("No accounts yet."))
    for name, unit, role, disabled in rows:
        state = _("disabled") if disabled else _("in use")
        typer.echo(f"{name}\t{unit}\t{role}\t{state}")


@accounts_app.command("disable")
def disable(username: str = typer.Argument(..., help=_("User name to log in with."))) -> None:
    """Disable an account: it cannot log in and its open sessions stop at once."""
    with failing(AccountError), session_scope() as session:
        disable_account(session=session, username=username)
    typer.echo(_("Account {name} disabled.").format(name=username))


@accounts_app.command("passwd")
def passwd(
    username: str = typer.Argument(..., help=_("User name to log in with.")),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Set an account's password."""
    password = _password(password_stdin)
    with failing(AccountError), session_scope() as session:
        set_password(session=session, username=username, password=password)
    typer.echo(_("Password of {name} changed.").format(name=username))
