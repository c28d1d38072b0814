"""forward_record: a unit's 转发 of a directive to the units below it

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forward_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id"), nullable=False),
        sa.Column("window_key", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=32), sa.ForeignKey("bureau.code"), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("forwarded_by", sa.String(length=50), nullable=False),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("campaign_id", "window_key", "unit_code"),
    )
    op.create_index("ix_forward_record_campaign_id", "forward_record", ["campaign_id"])
    op.create_index("ix_forward_record_unit_code", "forward_record", ["unit_code"])


def downgrade() -> None:
    op.drop_index("ix_forward_record_unit_code", table_name="forward_record")
    op.drop_index("ix_forward_record_campaign_id", table_name="forward_record")
    op.drop_table("forward_record")
