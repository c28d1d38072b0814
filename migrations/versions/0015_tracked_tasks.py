"""tracked tasks: the task ledger (任务台账)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENUM = {"native_enum": False, "length": 16}


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "tracked_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("task_key", text(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("not_started", "in_progress", "done", "overdue", name="taskstate", **_ENUM),
            nullable=False,
        ),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("units_done", sa.Integer(), nullable=False),
        sa.Column("units_total", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "task_key"),
    )
    op.create_index("ix_tracked_task_campaign_id", "tracked_task", ["campaign_id"])


def downgrade() -> None:
    op.drop_index("ix_tracked_task_campaign_id", table_name="tracked_task")
    op.drop_table("tracked_task")
