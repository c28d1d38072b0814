"""Alembic environment: the engine comes from campaign.db (or the configured URL)."""

from alembic import context
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        from campaign.db import get_engine

        engine = get_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
