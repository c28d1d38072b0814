"""console_account: each unit's own console logins; coordinator_session.username

Revision ID: 0022
Revises: 0018
Create Date: 2026-11-30 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("office", "coordinator", "viewer")


def upgrade() -> None:
    op.create_table(
        "console_account",
        sa.Column("username", sa.String(length=50), primary_key=True),
        sa.Column("unit_code", sa.String(length=32), sa.ForeignKey("bureau.code"), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="accountrole", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_account_unit_code", "console_account", ["unit_code"])
    with op.batch_alter_table("coordinator_session") as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coordinator_session") as batch_op:
        batch_op.drop_column("username")
    op.drop_index("ix_console_account_unit_code", table_name="console_account")
    op.drop_table("console_account")
