"""The CPU budget of bench_submit's measured window: what each party used, from /proc.

Parties: each uvicorn worker (and the supervisor), the load generator, this database's
PostgreSQL backends (found by the application_name the server's URL gives them), the
PostgreSQL background processes (WAL writer, checkpointer…, shared with every other
database of the server), and the rest of the machine (/proc/stat less all of those:
other sessions, this script). Printed in cores (CPU seconds per second of the window)
and in milliseconds per answer, with the rate those costs allow on this machine's cores.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except FileNotFoundError:
        pass
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants (uvicorn and its workers)."""
    return process_cpu(pid) + sum(tree_cpu(child) for child in children(pid))


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / TICK


@dataclass
class Snapshot:
    at: float
    machine: float
    server: dict[int, float]  # the supervisor and each worker
    generator: float
    backends: dict[int, float]
    background: dict[int, float]


@dataclass
class Budget:
    """Samples the parties at the window's start and end (`take`), then reports."""

    server_pid: int
    application_name: str | None  # PostgreSQL: the server's connections' name
    postgres_url: str | None
    samples: list[Snapshot] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._conn = None
        if self.postgres_url is not None:
            import psycopg

            self._conn = psycopg.connect(self.postgres_url, autocommit=True)

    def _postgres_pids(self) -> tuple[list[int], list[int]]:
        if self._conn is None:
            return [], []
        rows = self._conn.execute(
            "SELECT pid, backend_type, application_name FROM pg_stat_activity"
        ).fetchall()
        ours = [pid for pid, kind, name in rows if name == self.application_name]
        background = [pid for pid, kind, _ in rows if kind != "client backend"]
        return ours, background

    def take(self, generator_pid: int) -> None:
        ours, background = self._postgres_pids()
        if self.samples:  # the backends that were there at the start, and any since
            ours = sorted({*ours, *self.samples[0].backends})
        # One worker: uvicorn serves in its own process. More: a supervisor and its workers.
        server = {self.server_pid: process_cpu(self.server_pid)}
        server.update({pid: tree_cpu(pid) for pid in children(self.server_pid)})
        self.samples.append(
            Snapshot(
                at=time.monotonic(),
                machine=machine_busy(),
                server=server,
                generator=process_cpu(generator_pid),
                backends={pid: process_cpu(pid) for pid in ours},
                background={pid: process_cpu(pid) for pid in background},
            )
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def used(self, answering: set[str]) -> dict[str, Any]:
        """Cores used by each party over the window (JSON-ready); answering: the pids that
        answered requests (the workers; any other process of the server's counts as its
        supervisor's)."""
        start, end = self.samples[0], self.samples[-1]
        seconds = max(1e-9, end.at - start.at)

        def delta(before: dict[int, float], after: dict[int, float]) -> dict[str, float]:
            # a process gone since the start reads 0: its share is lost, never negative
            return {str(p): max(0.0, after[p] - before.get(p, after[p])) / seconds for p in after}

        server = delta(start.server, end.server)
        if str(self.server_pid) in answering:  # one worker: uvicorn serves itself
            server = {str(self.server_pid): sum(server.values())}
        supervisor = sum(server.pop(p) for p in list(server) if p not in answering)
        backends = sum(delta(start.backends, end.backends).values())
        background = sum(delta(start.background, end.background).values())
        generator = (end.generator - start.generator) / seconds
        machine = (end.machine - start.machine) / seconds
        parties = sum(server.values()) + supervisor + generator + backends + background
        return {
            "seconds": seconds,
            "workers": server,
            "supervisor": supervisor,
            "generator": generator,
            "backends": backends,
            "backend_count": len(end.backends),
            "background": background,
            "rest": max(0.0, machine - parties),
            "machine": machine,
        }


def per_answer_ms(used: dict[str, Any], rate: float) -> dict[str, float]:
    """CPU ms per answer of the server, the load generator and PostgreSQL."""
    server = sum(used["workers"].values()) + used["supervisor"]
    postgres = used["backends"] + used["background"]
    cores = {"server": server, "load generator": used["generator"], "PostgreSQL": postgres}
    return {k: 1000 * v / rate for k, v in cores.items()} if rate > 0 else {}


def ceiling(used: dict[str, Any], rate: float, cores: int) -> float:
    """Answers/s the cores carry at this CPU per answer, the load generator on them too."""
    total = sum(per_answer_ms(used, rate).values())
    return 1000 * cores / total if total else 0.0


def budget_lines(used: dict[str, Any], rate: float, cores: int) -> list[str]:
    """The budget as printed: cores by party, ms per answer, the rate the cores allow."""
    workers: dict[str, float] = used["workers"]
    server = sum(workers.values()) + used["supervisor"]
    each = ", ".join(f"{pid} {c:.2f}" for pid, c in sorted(workers.items()))
    lines = [
        f"CPU in the window, cores: server {server:.2f} (workers {each}; supervisor "
        f"{used['supervisor']:.2f}) + load generator {used['generator']:.2f} + PostgreSQL "
        f"backends {used['backends']:.2f} ({used['backend_count']}) + PostgreSQL background "
        f"{used['background']:.2f} + rest of the machine {used['rest']:.2f} = "
        f"{used['machine']:.2f} of {cores} cores busy"
    ]
    per = per_answer_ms(used, rate)
    if per:
        total = sum(per.values())
        costs = " + ".join(f"{k} {v:.2f}" for k, v in per.items() if v >= 0.005)
        lines.append(
            f"CPU per answer, ms: {costs} = {total:.2f}: {cores} cores carry at most "
            f"{ceiling(used, rate, cores):.0f} answers/s at this cost, load generator "
            f"included ({1000 * cores / max(1e-9, total - per['load generator']):.0f}/s "
            "without it)"
        )
    return lines
