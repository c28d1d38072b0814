"""auth and links: server-side coordinator sessions; recoverable link tokens

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coordinator_session",
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("coordinator_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coordinator_session_expires_at"), ["expires_at"], unique=False
        )
    with op.batch_alter_table("reply_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_salt", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("reply_link", schema=None) as batch_op:
        batch_op.drop_column("token_salt")
    with op.batch_alter_table("coordinator_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinator_session_expires_at"))
    op.drop_table("coordinator_session")
