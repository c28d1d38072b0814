"""`campaign demo` (the Hubei campaign run end to end) and `campaign simulate` (any plan,
any number of generated bureaus): one simulator, campaign/demo/run.py."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from campaign.cli._output import fail
from campaign.i18n import _


def register(app: typer.Typer) -> None:
    app.command(
        help=_(
            "Run the example campaign from launch to acceptance with simulated bureaus and "
            "real mail."
        )
    )(demo)
    app.command(
        help=_("Run any plan from launch to acceptance over generated (or given) bureaus.")
    )(simulate)


def _prefect_home(data_dir: Path, prefect: bool) -> None:
    if prefect and not os.environ.get("PREFECT_API_URL"):
        # No server configured: Prefect runs a temporary one; keep its files with the run's.
        os.environ.setdefault("PREFECT_HOME", str(data_dir.parent / f"{data_dir.name}-prefect"))
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def demo(
    data_dir: Path = typer.Option(Path("var/demo"), "--data-dir", help=_("Emptied and filled.")),
    prefect: bool = typer.Option(True, "--prefect/--no-prefect", help=_("Ticks as Prefect flows.")),
) -> None:
    """Run the Hubei campaign from launch to acceptance with simulated bureaus and real mail."""
    data_dir = data_dir.resolve()
    _prefect_home(data_dir, prefect)
    from campaign.demo.account import Progress, describe
    from campaign.demo.run import run_demo

    result = run_demo(data_dir=data_dir, prefect=prefect, echo=typer.echo, progress=Progress())
    for line in describe(result, data_dir):
        typer.echo(line)


def _rate(value: float, option: str) -> float:
    if not 0 <= value <= 1:
        fail(f"{option} 须为0至1之间的比例（收到的是{value}）", 2)
    return value


def simulate(
    plan: Path = typer.Argument(..., help=_("Plan YAML file.")),
    bureaus: str = typer.Option(
        ..., "--bureaus", help=_("Number of units to generate, or a bureau CSV file.")
    ),
    seed: int = typer.Option(..., "--seed", help=_("Same seed, same registry, same answers.")),
    late: float = typer.Option(0.15, "--late", help=_("Share of answers sent after the due date.")),
    missing: float = typer.Option(0.03, "--missing", help=_("Share of requests never answered.")),
    invalid: float = typer.Option(
        0.05, "--invalid", help=_("Share of answers refused by the checks first, then corrected.")
    ),
    returned: float = typer.Option(
        0.05, "--returned", help=_("Share of answers the coordinator returns; sent again.")
    ),
    data_dir: Path = typer.Option(
        Path("var/simulate"), "--data-dir", help=_("Emptied and filled.")
    ),
    prefect: bool = typer.Option(True, "--prefect/--no-prefect", help=_("Ticks as Prefect flows.")),
) -> None:
    """Run any plan from launch to acceptance over generated (or given) bureaus."""
    from campaign.bureau_csv import BureauImportError
    from campaign.demo.account import Progress, describe
    from campaign.demo.bureaus import Rates
    from campaign.demo.run import simulate as run_simulation
    from campaign.orchestration.launch import UnitsUnmatched
    from campaign.plan import PlanError

    rates = Rates(
        late=_rate(late, "--late"),
        missing=_rate(missing, "--missing"),
        invalid=_rate(invalid, "--invalid"),
        returned=_rate(returned, "--returned"),
    )
    units, registry = 0, None
    if bureaus.strip().isdigit():
        units = int(bureaus)
        if not 1 <= units <= 100_000:
            fail(f"--bureaus 须为1至100000之间的单位数（收到的是{units}）", 2)
    else:
        try:
            registry = Path(bureaus).read_bytes()
        except OSError as exc:
            fail(f"--bureaus：无法读取单位名录文件 {bureaus}：{exc.strerror}", 2)
    data_dir = data_dir.resolve()
    _prefect_home(data_dir, prefect)
    try:
        result = run_simulation(
            plan_path=plan,
            data_dir=data_dir,
            registry=registry,
            units=units,
            seed=seed,
            rates=rates,
            prefect=prefect,
            echo=typer.echo,
            progress=Progress(),
        )
    except OSError as exc:
        fail(f"{plan}：{exc.strerror}", 2)
    except PlanError as exc:
        typer.echo(f"{plan}：实施方案有 {len(exc.problems)} 处问题", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    except BureauImportError as exc:
        typer.echo(f"{bureaus}：单位名录有 {len(exc.problems)} 处问题", err=True)
        for row_problem in exc.problems:
            typer.echo(f"  {row_problem}", err=True)
        raise typer.Exit(1) from None
    except UnitsUnmatched as exc:
        fail(str(exc))
    for line in describe(result, data_dir):
        typer.echo(line)
