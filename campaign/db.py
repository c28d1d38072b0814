"""The one module that owns database engines, sessions and migrations."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from campaign.settings import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

LOCK_WAIT_MS = 30_000  # how long a statement waits for another transaction's lock, by default

# SQLite's page cache per connection, in KiB (a negative cache_size). SQLite's default,
# 2 MiB, holds not even the indexes of a campaign's busier tables: past it every page is
# read again from the operating system (a pread of 4 KiB each time, system CPU). The
# simulation of 300 units (a 200 MB database) read 3.2 GB so with the default, 2.1 GB
# with 32 or 64 MiB (2026-12-01). A bound, filled only by pages a connection reads (peak
# memory of that simulation 307 -> 325 MB). Speed only: what is on disk and when it is
# synced stay as they were (journal_mode WAL, synchronous FULL, SQLite's default).
CACHE_KIB = 65_536

_engines: dict[tuple[str, int], Engine] = {}
_migrated: set[str] = set()


def _sqlite_pragmas(lock_wait_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait_ms)}")
        cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cursor.close()

    return on_connect


def _postgres_lock_timeout(lock_wait_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_wait_ms)}")
        dbapi_connection.commit()

    return on_connect


def get_engine(url: str | None = None, *, lock_wait_ms: int = LOCK_WAIT_MS) -> Engine:
    """The engine for url (default: the configured database), created once per process.

    lock_wait_ms bounds how long a statement waits for a lock another transaction holds
    (SQLite's busy timeout, PostgreSQL's lock_timeout) before it fails with
    OperationalError (see is_lock_conflict). The web pages use a short wait and retry from
    the event loop, so that no page thread sits behind a long transaction.
    """
    url = url or get_settings().resolved_database_url
    key = (url, lock_wait_ms)
    if key not in _engines:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": lock_wait_ms / 1000}
            )
            event.listen(engine, "connect", _sqlite_pragmas(lock_wait_ms))
        else:
            # No pool_pre_ping: it costs a round trip (SELECT 1) on every checkout, i.e. on
            # every request. pool_recycle replaces connections before servers or firewalls
            # drop idle ones; a connection that died anyway fails one request, and the pool
            # then discards it (SQLAlchemy invalidates the pool on a disconnect error).
            engine = create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=20)
            if lock_wait_ms != LOCK_WAIT_MS:
                event.listen(engine, "connect", _postgres_lock_timeout(lock_wait_ms))
        _engines[key] = engine
    return _engines[key]


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether exc is a statement that gave up waiting for another transaction's lock."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest revision (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    url = url or get_settings().resolved_database_url
    if url in _migrated:
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = get_engine(url)
    command.upgrade(config, "head")
    _migrated.add(url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One session per unit of work: committed on success, rolled back on error."""
    migrate(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def reset() -> None:
    """Forget engines and migration state (tests switch databases with this)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _migrated.clear()
    get_settings.cache_clear()


# Why the database cannot be used, in words for the operator --------------------------------

_OS_REASONS = {
    errno.ENOTDIR: "路径中有一段是文件而不是目录",
    errno.EEXIST: "已有同名的文件，不是目录",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有访问权限",
    errno.EROFS: "所在的文件系统是只读的",
    errno.ENOSPC: "磁盘空间已满",
    errno.ENOENT: "路径不存在",
    errno.EISDIR: "这是目录而不是文件",
}
_SQLITE_REASONS = (
    ("unable to open database file", "无法打开（所在目录不存在、不可写或不是目录）"),
    ("readonly database", "是只读的，无法写入"),
    ("disk i/o error", "读写时磁盘出错"),
    ("database or disk is full", "无法写入：磁盘已满"),
    ("file is not a database", "不是数据库文件（已损坏，或是其他文件）"),
    ("database is locked", "正被其他进程长时间占用，请稍后重试"),
)
# PostgreSQL SQLSTATE classes of an unusable server: connection, resources, operator
# intervention, no such database, authentication; and a read-only transaction.
_POSTGRES_STATES = ("08", "53", "57P", "3D", "28", "25006")
_DATABASE_URL_HINT = "请检查 CAMPAIGN_DATABASE_URL 以及数据库服务是否在运行"


def describe_setup_error(exc: BaseException) -> str | None:
    """A Chinese sentence, naming the path or server, for an error that means the settings,
    the database or the data directory cannot be used (unreachable, unwritable, not a
    directory, full…); None for any other error, which is a bug to surface as it is."""
    if isinstance(exc, ValidationError) and exc.title == Settings.__name__:
        return "配置有误：" + "；".join(
            f"CAMPAIGN_{'_'.join(map(str, e['loc'])).upper()}（{e['msg']}）" for e in exc.errors()
        )
    if isinstance(exc, OSError):
        return _describe_os_error(exc)
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        return (
            "CAMPAIGN_DATABASE_URL 的值不是有效的数据库地址"
            "（示例：postgresql+psycopg://user@127.0.0.1:5432/campaigns）"
        )
    if not isinstance(exc, OperationalError):
        return None
    url = get_settings().resolved_database_url
    detail = str(exc.orig).strip()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        for known, reason in _SQLITE_REASONS:
            if known in detail.lower():
                return f"数据库文件 {path} {reason}。{_sqlite_hint()}"
        return None
    state = getattr(exc.orig, "sqlstate", None)
    if state is None or state.startswith(_POSTGRES_STATES):
        shown = make_url(url).render_as_string(hide_password=True)
        first_line = detail.splitlines()[0] if detail else ""
        return f"无法使用数据库 {shown}（{first_line}）。{_DATABASE_URL_HINT}"
    return None


def _describe_os_error(exc: OSError) -> str:
    path = exc.filename or ""
    reason = _OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    message = f"无法使用 {path}：{reason}。" if path else f"文件操作失败：{reason}。"
    data_dir = _data_dir()
    if path and data_dir is not None and _within(Path(path), data_dir):
        message += _data_dir_hint()
    return message


def _data_dir() -> Path | None:
    try:
        return get_settings().data_dir.absolute()
    except Exception:  # noqa: BLE001 - settings that do not load say so themselves
        return None


def _sqlite_hint() -> str:
    if get_settings().database_url:
        return "请检查 CAMPAIGN_DATABASE_URL 所指的文件及其所在目录是否可以写入"
    return _data_dir_hint()


def _data_dir_hint() -> str:
    return f"请检查数据目录 CAMPAIGN_DATA_DIR（当前为 {_data_dir()}）：它须是一个可以写入的目录"


def _within(path: Path, folder: Path) -> bool:
    path = path.absolute()
    return path == folder or folder in path.parents or path in folder.parents
