"""The scaled stack of docs/operations.md, brought up on loopback for one test.

Two fresh PostgreSQL databases (the application's and Prefect's), Redis for Prefect's
messaging, cache, causal ordering, concurrency leases and Docket, two API servers started
with `--no-services`, the services in a process of their own, a process work pool and two
workers, each worker talking to a different API server. Every process is started in a
session of its own, so that killing a worker's process group kills the flow run it runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.parts import missing_part
from tests.support.ports import free_port, worker_index

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Not the default 0; one of its own per xdist worker (13, gw1 12, ...): Prefect's message
# streams have fixed names (message:events, ...), so two stacks on one database would share them.
REDIS_DB = int(os.environ.get("CAMPAIGN_TEST_REDIS_DB", "13")) - worker_index()
POOL = "campaigns"
STARTUP_SECONDS = 90.0


def missing(reason: str) -> None:
    """A part of the stack is not there: skip, except under CI where it fails."""
    missing_part(f"the scaled stack needs {reason}")


def flush_redis_db() -> None:
    """Empty the Redis database the stack uses (REDIS_DB: this worker's own)."""
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=3).flushdb()


@dataclass
class Stack:
    """What the test reaches: the databases, the API servers, the workers' processes."""

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
        assert result.returncode == 0, result.stdout + result.stderr
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
            raise AssertionError(f"{url} exited {process.returncode}\n{stack.tail()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} not healthy after {STARTUP_SECONDS} s\n{stack.tail()}")


@contextmanager
def databases(base_url: str) -> Iterator[tuple[str, str]]:
    """A fresh application database and a fresh Prefect database; dropped afterwards."""
    suffix = uuid.uuid4().hex[:10]
    names = (f"campaign_ops_{suffix}", f"prefect_ops_{suffix}")
    try:
        admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        missing(f"PostgreSQL at {base_url} ({exc.__class__.__name__})")
    url = make_url(base_url)
    app = url.set(database=names[0]).render_as_string(hide_password=False)
    prefect = url.set(drivername="postgresql+asyncpg", database=names[1]).render_as_string(
        hide_password=False
    )
    try:
        yield app, prefect
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prefect_server_env(prefect_db_url: str, home: Path) -> dict[str, str]:
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
        "PREFECT_REDIS_MESSAGING_DB": str(REDIS_DB),
        "PREFECT_SERVER_DOCKET_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        # a run waiting for its campaign's slot looks again after 5 s (default 30)
        "PREFECT_SERVER_CONCURRENCY_MAXIMUM_CONCURRENCY_SLOT_WAIT_SECONDS": "5",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "0",
    }


@contextmanager
def scaled_stack(base_url: str, tmp_path: Path, app_env: dict[str, str]) -> Iterator[Stack]:
    """Bring the stack up (databases, servers, services, pool, two workers); tear it down."""
    try:
        import prefect_redis  # noqa: F401
    except ImportError:
        missing("the prefect-redis package")
    try:
        flush_redis_db()
    except Exception as exc:  # noqa: BLE001
        missing(f"Redis at {REDIS_HOST}:{REDIS_PORT} ({exc.__class__.__name__})")
    logs = tmp_path / "logs"
    logs.mkdir()
    with databases(base_url) as (app_db, prefect_db):
        ports = [free_port(), free_port()]
        env = (
            os.environ.copy()
            | app_env
            | prefect_server_env(prefect_db, tmp_path / "prefect-home")
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
            assert migrate.returncode == 0, migrate.stdout + migrate.stderr
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
            stack.prefect("work-pool", "create", POOL, "--type", "process")
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
            flush_redis_db()
