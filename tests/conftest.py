"""Shared fixtures: databases on both backends, domain factories, one Prefect harness.

- `db_url` / `session`: a migrated database, emptied before each test, on SQLite and on
  PostgreSQL (parametrized). PostgreSQL runs in a schema of its own per test session.
  When PostgreSQL is unreachable the postgres cases skip, except under CI (CI=true),
  where they fail.
- `prefect`: one prefect_test_harness for the whole session (it takes ~15 s to start).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

from campaign import db as dbmod
from campaign.mail.server import MaildirHandler, running_mailserver
from campaign.plan import Plan, load_plan
from models.bureau import Bureau, BureauLevel
from tests.support.parts import missing_part
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's .env or writes into ./var."""
    for name in list(os.environ):
        if name.startswith("CAMPAIGN_") and not name.startswith("CAMPAIGN_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CAMPAIGN_DATA_DIR", str(tmp_path / "var"))
    # The command line speaks Chinese whatever the machine's locale; tests of the English
    # output set CAMPAIGN_LANGUAGE=en themselves.
    monkeypatch.setenv("CAMPAIGN_LANGUAGE", "zh_CN")
    # The web app sends mail only in the tests about that (no stray SMTP connections).
    monkeypatch.setenv("CAMPAIGN_WEB_DELIVERS_MAIL", "false")
    monkeypatch.chdir(tmp_path)
    dbmod.get_settings.cache_clear()
    yield
    dbmod.get_settings.cache_clear()


def _postgres_schema_url() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001
        missing_part(f"PostgreSQL at {POSTGRES_URL} is unreachable ({exc.__class__.__name__})")
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'campaign.db'}"


@pytest.fixture(scope="session")
def _postgresql_url() -> Iterator[str]:
    yield from _postgres_schema_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated, empty database; CAMPAIGN_DATABASE_URL points at it."""
    url: str = request.getfixturevalue(f"_{request.param}_url")
    dbmod.migrate(url)
    empty_database(url)
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", url)
    dbmod.get_settings.cache_clear()
    return url


@pytest.fixture
def sqlite_url(_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Like db_url, SQLite only: for tests whose subject is not the database."""
    dbmod.migrate(_sqlite_url)
    empty_database(_sqlite_url)
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", _sqlite_url)
    dbmod.get_settings.cache_clear()
    return _sqlite_url


def empty_database(url: str) -> None:
    engine = dbmod.get_engine(url)
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    with Session(dbmod.get_engine(db_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def lite_session(sqlite_url: str) -> Iterator[Session]:
    """A session on SQLite only, for tests whose subject is not the database."""
    with Session(dbmod.get_engine(sqlite_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def hubei_plan() -> Plan:
    return load_plan(EXAMPLES / "hubei-2007.yaml")


@pytest.fixture
def make_bureau(session: Session):  # type: ignore[no-untyped-def]
    """Factory: make_bureau("420100", parent="420000") adds and commits a bureau."""

    def make(
        code: str,
        *,
        name: str | None = None,
        parent: str | None = None,
        level: BureauLevel | str | None = None,
        email: str | None = None,
    ) -> Bureau:
        level = (
            BureauLevel(level) if level else (BureauLevel.city if parent else BureauLevel.province)
        )
        bureau = Bureau(
            code=code,
            name=name or f"测试{code}质量技术监督局",
            parent_code=parent,
            level=level,
            email=email or f"b{code}@bureaus.example.org",
            contact="信息报送员",
            phone="027-0000000",
        )
        session.add(bureau)
        session.commit()
        return bureau

    return make


@pytest.fixture
def hubei_bureaus(session: Session) -> list[Bureau]:
    """The province bureau and its 17 city-level units from examples/bureaus-hubei.csv."""
    from tests.support.hubei import import_hubei_bureaus

    import_hubei_bureaus(session)
    session.commit()
    return list(session.exec(Bureau.__table__.select()).all())  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def prefect() -> Iterator[None]:
    """One Prefect test server for the whole session; request it only where a flow must run."""
    from prefect.testing.utilities import prefect_test_harness

    # its telemetry heartbeat only adds writes (and SQLite lock waits) to a busy server
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=90):
        yield


# A real SMTP server -------------------------------------------------------------------------


class RefusingHandler(MaildirHandler):
    """Refuses recipients by domain: refused.example.org → 550, busy.example.org → 450."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        domain = address.rsplit("@", 1)[-1]
        if domain == "refused.example.org":
            return "550 5.1.1 No such mailbox here"
        if domain == "busy.example.org":
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_port(monkeypatch: pytest.MonkeyPatch) -> int:
    """A free port the settings point at (no server yet); unthrottled sending."""
    port = free_port()
    monkeypatch.setenv("CAMPAIGN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CAMPAIGN_SMTP_PORT", str(port))
    monkeypatch.setenv("CAMPAIGN_MAIL_RATE_PER_SECOND", "0")
    dbmod.get_settings.cache_clear()
    return port


@pytest.fixture
def mailserver(smtp_port: int, tmp_path: Path) -> Iterator[MaildirHandler]:
    """A real SMTP server (aiosmtpd) on loopback keeping mail in tmp_path/maildir."""
    handler = RefusingHandler(tmp_path / "maildir")
    with running_mailserver(port=smtp_port, maildir=tmp_path / "maildir", handler=handler):
        yield handler


# Tiers ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The soffice command and pdftotext (Debian's libreoffice-writer-nogui, poppler-utils).
    Missing, the tests that need them skip, except under CI (CI=true), where they fail."""
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        missing_part("LibreOffice (soffice) and pdftotext are needed: scripts/setup.sh --system")
    return soffice


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs PostgreSQL, the Prefect harness, a browser, LibreOffice or the scaled
    stack, so a fast tier can deselect it: `pytest -m "not postgres and not prefect and not
    browser and not libreoffice and not stack"` (`make test-fast`; `stack` marks
    tests/operations, the scaled Prefect stack)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)
        if "prefect" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.prefect)
        if "libreoffice" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)
