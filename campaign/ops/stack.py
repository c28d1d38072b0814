"""The scaled stack of docs/operations.md, brought up on loopback on one machine: for
tests/operations/test_scaled_stack.py and `bench/bench_simulate.py --stack`.

Two fresh PostgreSQL databases (the application's and Prefect's), Redis for Prefect's
messaging, cache, causal ordering, concurrency leases and Docket, two API servers started
with `--no-services`, the services in a process of their own, a process work pool and two
workers, each worker talking to a different API server. Every process is started in a
session of its own, so that killing a worker's process group kills the flow run it runs.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = int(os.environ.get("CAMPAIGN_TEST_REDIS_DB", "13"))  # the test's; not the default 0
DB_PREFIX = os.environ.get("CAMPAIGN_TEST_DB_PREFIX", "")  # before the fresh databases' names
POOL = "campaigns"
STARTUP_SECONDS = 90.0


class StackMissing(RuntimeError):
    """A part the stack needs is not there (PostgreSQL, Redis, prefect-redis): the test
    skips (fails under CI), the benchmark says so and goes on."""


def missing(reason: str) -> NoReturn:
    raise StackMissing(f"the scaled stack needs {reason}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def flush_redis_db(db: int = REDIS_DB) -> None:
    """Empty the Redis database a stack uses (its own: a stack brought up beside another
    uses another database)."""
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_timeout=3).flushdb()


@dataclass
class Stack:
    """What a test or a benchmark reaches: the databases, the API servers, the workers'
    processes."""

    app_db_url: str
    api_urls: list[str]
    env: dict[str, str]
    logs: Path
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, args: list[str], **extra: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args,
            env=self.env | extra,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its flow runs die with it
        )
        self.processes.append(process)
        return process

    def prefect(self, *args: str, api: int = 0) -> str:
        """A `prefect` command against one of the API servers."""
        result = subprocess.run(
            [PREFECT, *args],
            env=self.env | {"PREFECT_API_URL": self.api_urls[api]},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(result.stdout + result.stderr)
        return result.stdout

    def start_worker(self, name: str, api: int) -> None:
        self.workers[name] = self.start(
            name,
            [PREFECT, "worker", "start", "--pool", POOL, "--name", name, "--type", "process"],
            PREFECT_API_URL=self.api_urls[api],
        )

    def running_flow(self, name: str) -> bool:
        """The worker has a flow-run process (`python -m prefect.engine`) under it."""
        return any(
            b"prefect.engine" in Path(f"/proc/{pid}/cmdline").read_bytes()
            for pid in descendants(self.workers[name].pid)
            if Path(f"/proc/{pid}/cmdline").exists()
        )

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and every process under it (the flow run it runs)."""
        process = self.workers.pop(name)
        for pid in [process.pid, *descendants(process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(10)

    def tail(self) -> str:
        return "\n".join(
            f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:]
            for log in sorted(self.logs.glob("*.log"))
        )


def descendants(pid: int) -> list[int]:
    """The processes under pid (children, their children, ...), from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [c for c, p in parents.items() if p in frontier]
        found += children
        frontier = children
    return found


def wait_healthy(url: str, process: subprocess.Popen[bytes], stack: Stack) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited {process.returncode}\n{stack.tail()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not healthy after {STARTUP_SECONDS} s\n{stack.tail()}")


@contextmanager
def fresh_databases(base_url: str, *prefixes: str) -> Iterator[list[str]]:
    """A fresh PostgreSQL database per prefix (named [DB_PREFIX_]prefix_<random>, on the
    server of base_url), their URLs in base_url's driver; dropped afterwards."""
    suffix = uuid.uuid4().hex[:10]
    names = [f"{DB_PREFIX}_" * bool(DB_PREFIX) + f"{prefix}_{suffix}" for prefix in prefixes]
    try:
        admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        missing(f"PostgreSQL at {base_url} ({exc.__class__.__name__})")
    url = make_url(base_url)
    try:
        yield [url.set(database=name).render_as_string(hide_password=False) for name in names]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def databases(base_url: str) -> Iterator[tuple[str, str]]:
    """A fresh application database and a fresh Prefect database (asyncpg); dropped
    afterwards."""
    with fresh_databases(base_url, "campaign_ops", "prefect_ops") as (app, prefect):
        yield (
            app,
            make_url(prefect)
            .set(drivername="postgresql+asyncpg")
            .render_as_string(hide_password=False),
        )


def prefect_server_env(prefect_db_url: str, home: Path, redis_db: int) -> dict[str, str]:
    """The settings every Prefect process of the stack shares (docs/operations.md)."""
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db_url,
        "PREFECT_API_DATABASE_MIGRATE_ON_START": "false",
        "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
        "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
        "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
        "PREFECT_REDIS_MESSAGING_HOST": REDIS_HOST,
        "PREFECT_REDIS_MESSAGING_PORT": str(REDIS_PORT),
        "PREFECT_REDIS_MESSAGING_DB": str(redis_db),
        "PREFECT_SERVER_DOCKET_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        # a run waiting for its campaign's slot looks again after 5 s (default 30)
        "PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS": "5",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "0",
    }


def engine_job_template(path: Path) -> str:
    """The process work pool's base job template, its flow-run command set to this
    Python's `-m prefect.engine` (docs/operations.md): the worker then starts each flow
    run's engine itself. Left unset, it starts Prefect's workspace supervisor, a Python
    process that imports Prefect to read the deployment and run its pull steps (ours has
    none) and then execs the engine, which imports Prefect again: about 0.9 s of CPU more
    per tick. Written to path; its path returned."""
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    template["variables"]["properties"]["command"]["default"] = (
        f"{sys.executable} -m prefect.engine"
    )
    path.write_text(json.dumps(template, indent=2))
    return str(path)


@contextmanager
def scaled_stack(
    base_url: str,
    tmp_path: Path,
    app_env: dict[str, str],
    *,
    redis_db: int = REDIS_DB,
    pick_port: Callable[[], int] = free_port,
) -> Iterator[Stack]:
    """Bring the stack up (databases, servers, services, pool, two workers); tear it down.
    `pick_port` picks the API servers' ports (the tests give each xdist worker its own range)."""
    try:
        import prefect_redis  # noqa: F401
    except ImportError:
        missing("the prefect-redis package")
    try:
        flush_redis_db(redis_db)
    except Exception as exc:  # noqa: BLE001
        missing(f"Redis at {REDIS_HOST}:{REDIS_PORT} ({exc.__class__.__name__})")
    logs = tmp_path / "logs"
    logs.mkdir()
    with databases(base_url) as (app_db, prefect_db):
        ports = [pick_port(), pick_port()]
        env = (
            os.environ.copy()
            | app_env
            | prefect_server_env(prefect_db, tmp_path / "prefect-home", redis_db)
            | {"PYTHONPATH": str(ROOT), "CAMPAIGN_DATABASE_URL": app_db}
        )
        env.pop("PREFECT_API_URL", None)
        stack = Stack(app_db, [f"http://127.0.0.1:{p}/api" for p in ports], env, logs)
        try:
            migrate = subprocess.run(
                [PREFECT, "server", "database", "upgrade", "-y"],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if migrate.returncode != 0:
                raise RuntimeError(migrate.stdout + migrate.stderr)
            # One after the other: two servers registering Prefect's block types at the
            # same moment collide on a unique key (uq_block_type__slug) and one exits.
            for i, (port, url) in enumerate(zip(ports, stack.api_urls, strict=True)):
                server = stack.start(
                    f"api-{i}",
                    [PREFECT, "server", "start", "--no-services", "--host", "127.0.0.1"]
                    + ["--port", str(port)],
                )
                if i == 0:
                    stack.start("services", [PREFECT, "server", "services", "start"])
                wait_healthy(url, server, stack)
            template = engine_job_template(tmp_path / "process-job-template.json")
            stack.prefect(
                "work-pool", "create", POOL, "--type", "process", "--base-job-template", template
            )
            stack.start_worker("worker-a", api=0)
            stack.start_worker("worker-b", api=1)
            yield stack
        finally:
            for process in stack.processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in stack.processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)
            flush_redis_db(redis_db)
