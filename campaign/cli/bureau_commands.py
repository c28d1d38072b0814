"""`campaign bureaus import | list`: the registry of bureaus."""

from __future__ import annotations

from pathlib import Path

import typer

from campaign.bureau_csv import KIND_NAMES
from campaign.bureaus import BureauImportError, import_bureau_csv, list_bureaus
from campaign.cli._output import fail, print_json
from campaign.db import session_scope
from campaign.i18n import _
from models.bureau import Bureau, UnitKind

bureaus_app = typer.Typer(
    help=_("The unit registry: bureaus, governments, departments, divisions, affiliates."),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(bureaus_app, name="bureaus")


@bureaus_app.command(
    "import", help=_("Import bureaus from CSV; nothing is stored if any row is wrong.")
)
def import_(
    csv_file: Path = typer.Argument(
        ...,
        help=_(
            "CSV: code,name,parent_code,level,email,contact,phone "
            "(optional: kind,government_code,groups)"
        ),
    ),
) -> None:
    """Import bureaus from CSV; nothing is stored if any row is wrong."""
    try:
        raw = csv_file.read_bytes()
    except OSError as exc:
        fail(_("{file}: cannot read it ({reason})").format(file=csv_file, reason=exc.strerror), 2)
    try:
        with session_scope() as session:
            summary = import_bureau_csv(session=session, raw=raw)
    except BureauImportError as exc:
        typer.echo(
            _("{file}: {n} problem(s) found; no bureau imported").format(
                file=csv_file, n=len(exc.problems)
            ),
            err=True,
        )
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        _("{file}: {created} bureau(s) added, {updated} updated").format(
            file=csv_file, created=summary.created, updated=summary.updated
        )
    )


@bureaus_app.command("list", help=_("List the registry as a tree."))
def list_(as_json: bool = typer.Option(False, "--json", help=_("Print JSON."))) -> None:
    """List the registry as a tree."""
    with session_scope() as session:
        bureaus = list(list_bureaus(session=session))
    if as_json:
        print_json([b.model_dump(mode="json") for b in bureaus])
        return
    children: dict[str | None, list] = {}
    for b in bureaus:
        children.setdefault(b.parent_code, []).append(b)
    codes = {b.code for b in bureaus}

    def line(b: Bureau) -> str:
        kind = "" if b.kind == UnitKind.bureau else f"［{KIND_NAMES[UnitKind(b.kind)]}］"
        groups = f"  {{{', '.join(b.groups)}}}" if b.groups else ""
        return f"{b.code}  {b.name}{kind}  <{b.email}>  {b.contact} {b.phone}".rstrip() + groups

    def show(parent: str | None, depth: int) -> None:
        for b in children.get(parent, []):
            typer.echo(f"{'  ' * depth}{line(b)}")
            show(b.code, depth + 1)

    for root in [b for b in bureaus if b.parent_code is None or b.parent_code not in codes]:
        typer.echo(line(root))
        show(root.code, 1)
    if not bureaus:
        typer.echo(
            _("The registry has no bureaus yet; import them with `campaign bureaus import CSV`.")
        )
