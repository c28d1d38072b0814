"""Benchmark: the coordinators' dashboard over 3,000 units × 17 periods.

    .venv/bin/python bench/bench_console.py [--units 3000] [--periods 17] [--runs 7]
                                            [--url postgresql+psycopg://…] [--routed]

The rows are generated as bench_results.py generates them (bulk Core inserts into a
temporary SQLite database, or the given empty database), the units then grouped under 100
parent units and one in twelve reports left unanswered (未报). Measured in the same run,
through the web app in this process (login, cookies, routing, the queries, the template):

- bare:      a logged-in page that reads almost nothing (/admin/campaigns) — the floor of
             a console request;
- rows:      merely loading the rows the matrix rests on (every report request of the
             campaign, all columns) — what a dashboard that read everything would pay;
- dashboard: /admin/campaigns/{id}, first page of the matrix (50 units × 17 periods),
             targets, laggards, summaries, queue; and a filtered, paged view;
             first without the covering indexes of the tallies (ix_report_request_units
             and _periods, migration 0018: dropped), then with them (created again,
             statistics gathered).

--routed: every unit relayed to its parent, the parents' own aggregate reports added (the
office's dashboard of a routed duty, and a city's drill-down page).

Not a test: it prints the medians, the page size, the ratios against the baselines and
whether the goal (dashboard ≤ 300 ms of server time) is met, by the wall clock and by this
process's CPU time plus the database's (on a shared, busy machine the wall clock also
counts the wait for a core; with SQLite the database works in this process, with
PostgreSQL the CPU time of its backends serving the bench database is read from /proc).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_results import populate  # noqa: E402
from sqlalchemy import Index, create_engine, insert, select, text, update  # noqa: E402

from models.bureau import Bureau  # noqa: E402
from models.request import ReportRequest  # noqa: E402
from models.submission import ReportSubmission  # noqa: E402

PASSWORD = "bench-口令"
GOAL_MS = 300
PARENTS = 100
TALLY_INDEXES = ("ix_report_request_units", "ix_report_request_periods")  # migration 0018


def regroup(url: str, campaign_id: int, units: int) -> None:
    """100 parent units over the generated ones; one report in twelve left unanswered."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(Bureau.__table__),  # type: ignore[attr-defined]
            [
                {
                    "code": f"P{p:03d}",
                    "name": f"第{p}市局",
                    "parent_code": "000000",
                    "level": "city",
                    "email": f"p{p}@example.org",
                    "contact": "",
                    "phone": "",
                    "active": True,
                }
                for p in range(PARENTS)
            ],
        )
        for p in range(PARENTS):
            codes = [f"{i:06d}" for i in range(1, units + 1) if i % PARENTS == p]
            conn.execute(
                update(Bureau.__table__)  # type: ignore[attr-defined]
                .where(Bureau.__table__.c.code.in_(codes))  # type: ignore[attr-defined]
                .values(parent_code=f"P{p:03d}", level="county")
            )
        r, s = ReportRequest.__table__, ReportSubmission.__table__  # type: ignore[attr-defined]
        unanswered = select(r.c.id).where(r.c.campaign_id == campaign_id, r.c.id % 12 == 0)
        conn.execute(s.delete().where(s.c.request_id.in_(unanswered)))
        conn.execute(update(r).where(r.c.id.in_(unanswered)).values(status="overdue", late=False))
    engine.dispose()


def route(url: str, campaign_id: int) -> None:
    """--routed: every unit's requests relayed to its parent (report_request.relay_to), and
    each parent's own aggregate report per period, due three days later, accepted (one in
    twelve overdue): the office's dashboard then counts the 100 parents, each with its
    units' completeness beside (campaign.results.levels)."""
    engine = create_engine(url)
    r, b = ReportRequest.__table__, Bureau.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        parent = select(b.c.parent_code).where(b.c.code == r.c.bureau_code).scalar_subquery()
        conn.execute(update(r).where(r.c.campaign_id == campaign_id).values(relay_to=parent))
        periods = conn.execute(
            select(
                r.c.duty_key,
                r.c.period_key,
                r.c.period_label,
                r.c.period_start,
                r.c.period_end,
                r.c.due_date,
            )  # fmt: skip
            .where(r.c.campaign_id == campaign_id)
            .distinct()
        ).all()
        rows = [
            {
                "campaign_id": campaign_id,
                "duty_key": duty,
                "period_key": key,
                "period_label": label,
                "period_start": start,
                "period_end": end,
                "bureau_code": f"P{p:03d}",
                "kind": "aggregate",
                "due_date": due + timedelta(days=3) if due else None,
                "status": "overdue" if (p + i) % 12 == 0 else "accepted",
                "late": False,
                "recipients": [],
                "opened_at": datetime.now(UTC),
            }  # fmt: skip
            for i, (duty, key, label, start, end, due) in enumerate(periods)
            for p in range(PARENTS)
        ]
        conn.execute(insert(r), rows)
    engine.dispose()


def tally_indexes() -> list[Index]:
    table = ReportRequest.__table__  # type: ignore[attr-defined]
    return [i for i in table.indexes if i.name in TALLY_INDEXES]


def analyze(engine: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":  # index-only scans need the visibility map
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM report_request"))


class DatabaseCPU:
    """CPU milliseconds spent so far by the PostgreSQL backends serving this database
    (read from /proc: the server runs on this machine), the measuring connection aside.
    With SQLite the database works inside this process: always 0."""

    def __init__(self, url: str) -> None:
        self.conn = None if url.startswith("sqlite") else create_engine(url).connect()
        self.tick = os.sysconf("SC_CLK_TCK")

    def __call__(self) -> float:
        if self.conn is None:
            return 0.0
        pids = self.conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalars()
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile, or another machine's server
            total += int(fields[11]) + int(fields[12])  # utime, stime
        self.conn.rollback()
        return total * 1000 / self.tick


def timed(
    work: Callable[[], Any], runs: int, database: Callable[[], float] = lambda: 0.0
) -> tuple[list[float], list[float], Any]:
    """Milliseconds of each run (the first, cold, included), wall clock and CPU time of
    this process plus the database's (the app runs in this process: on a shared, busy
    machine CPU time is the server's own work, the wall clock also counts the wait for a
    core), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        began, cpu, db = time.perf_counter(), time.process_time(), database()
        result = work()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000 + database() - db)
    return walls, cpus, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--periods", type=int, default=17)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--url", default="", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--routed", action="store_true", help="units relayed to their parents")
    args = parser.parse_args()

    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from campaign import db as dbmod
    from campaign.settings import Settings
    from campaign.web.app import create_app, settle_heap

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        began = time.perf_counter()
        campaign_id = populate(url, args.units, args.periods)
        regroup(url, campaign_id, args.units)
        if args.routed:
            route(url, campaign_id)
        print(
            f"{args.units} units (under {PARENTS} parents) × {args.periods} periods, "
            f"generated in {time.perf_counter() - began:.1f} s"
        )
        dbmod._migrated.add(url)  # created from the models, as bench_results does
        settings = Settings(
            database_url=url, coordinator_password=PASSWORD, data_dir=Path(tmp) / "var"
        )
        client = TestClient(create_app(settings=settings), base_url="http://testserver")
        settle_heap()  # as the app's start does when served (the client runs no lifespan)
        login = client.get("/admin/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
        client.post("/admin/login", data={"password": PASSWORD, "csrf_token": token})
        engine = dbmod.get_engine(url)

        def get(path: str) -> bytes:
            response = client.get(path)
            assert response.status_code == 200, response.text[:500]
            return response.content

        def rows() -> int:
            with Session(engine) as session:
                table = ReportRequest.__table__  # type: ignore[attr-defined]
                query = select(table).where(table.c.campaign_id == campaign_id)
                return len(session.connection().execute(query).all())

        dashboard_path = f"/admin/campaigns/{campaign_id}"
        filtered_path = f"{dashboard_path}?parent=P007&state=missing&page=1&per_page=20"
        for index in tally_indexes():
            index.drop(engine)
        analyze(engine)
        db = DatabaseCPU(url)
        bare = timed(lambda: get("/admin/campaigns"), args.runs, db)
        loaded = timed(rows, args.runs, db)
        board_before = timed(lambda: get(dashboard_path), args.runs, db)
        filtered_before = timed(lambda: get(filtered_path), args.runs, db)
        for index in tally_indexes():
            index.create(engine)
        analyze(engine)
        board = timed(lambda: get(dashboard_path), args.runs, db)
        filtered = timed(lambda: get(filtered_path), args.runs, db)
        city = (
            timed(lambda: get(f"{dashboard_path}/units/P007"), args.runs, db)
            if args.routed
            else None
        )
        count, page = loaded[2], board[2]
        token = re.compile(rb'name="csrf_token" value="[^"]+"')
        same = token.sub(b"", page) == token.sub(b"", board_before[2])
        assert same, "the index changed what the page shows"
        assert "报送情况" in page.decode()
        print(f"{'':<34} {'wall median':>12} {'CPU median':>11} {'first (wall)':>13}")

        def line(label: str, measured: tuple[list[float], list[float], Any]) -> tuple[float, float]:
            wall, cpu = statistics.median(measured[0]), statistics.median(measured[1])
            print(f"{label:<34} {wall:9.1f} ms {cpu:8.1f} ms {measured[0][0]:10.1f} ms")
            return wall, cpu

        bare_ms = line("bare page (/admin/campaigns)", bare)
        rows_ms = line(f"rows: load {count:,} requests", loaded)
        before_ms = line("dashboard, no tally indexes", board_before)
        line("filtered, no tally indexes", filtered_before)
        board_ms = line("dashboard (first page)", board)
        filtered_ms = line("dashboard (parent+state filter)", filtered)
        if city is not None:
            line("a city's page (its 30 units)", city)
        print(f"dashboard page size: {len(page) / 1024:.0f} KiB")
        for i, kind in enumerate(("wall", "CPU")):
            print(
                f"{kind:<4} dashboard / bare page = {board_ms[i] / bare_ms[i]:5.1f}×   "
                f"dashboard / loading rows = {board_ms[i] / rows_ms[i]:.2f}×   "
                f"with / without the tally indexes = {board_ms[i] / before_ms[i]:.2f}×"
            )
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average of this machine: {load} ({os.cpu_count()} cores)")
        for i, kind in enumerate(("wall clock", "CPU of this process and the database")):
            worst = max(board_ms[i], filtered_ms[i])
            verdict = "met" if worst <= GOAL_MS else "NOT met"
            print(f"goal: dashboard ≤ {GOAL_MS} ms, {kind}: {worst:.0f} ms, {verdict}")


if __name__ == "__main__":
    main()
