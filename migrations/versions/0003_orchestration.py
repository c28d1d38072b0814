"""orchestration: the stored schedule of each campaign and its summaries

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("orchestration",)
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "scheduled_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key", String(length=200), nullable=False),
        sa.Column("kind", String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("phase", String(length=200), nullable=False),
        sa.Column("phase_key", String(length=64), nullable=False),
        sa.Column("action", String(length=200), nullable=True),
        sa.Column("action_key", String(length=64), nullable=True),
        sa.Column("duty", String(length=64), nullable=True),
        sa.Column("period", String(length=64), nullable=True),
        sa.Column("period_label", String(length=100), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("template", String(length=200), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "key"),
    )
    with op.batch_alter_table("scheduled_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scheduled_event_campaign_date", ["campaign_id", "date"], unique=False
        )

    op.create_table(
        "campaign_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key", String(length=200), nullable=False),
        sa.Column("kind", String(length=32), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "key"),
    )
    with op.batch_alter_table("campaign_summary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_summary_campaign_id"), ["campaign_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_summary_campaign_id"))
    op.drop_table("campaign_summary")
    with op.batch_alter_table("scheduled_event", schema=None) as batch_op:
        batch_op.drop_index("ix_scheduled_event_campaign_date")
    op.drop_table("scheduled_event")
