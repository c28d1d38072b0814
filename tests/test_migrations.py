"""The alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401
from campaign.db import get_engine


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_the_migrations_have_one_head() -> None:
    """`alembic upgrade head` (the documented command) needs a single head revision."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from campaign.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_sqlite_connections_keep_their_durability_and_get_a_larger_page_cache(
    sqlite_url: str,
) -> None:
    """campaign.db's connection settings: WAL, synced commits (SQLite's default, FULL),
    foreign keys, and a page cache of CACHE_KIB instead of SQLite's 2 MiB."""
    from campaign.db import CACHE_KIB

    with get_engine(sqlite_url).connect() as connection:
        setting = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size")
        }
    assert setting == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "cache_size": -CACHE_KIB,
    }
