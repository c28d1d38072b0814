"""summary versions: campaign_summary keyed by (campaign, key, version), with the changes;
inspections and rectification (整改) orders

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:30:00

The table is rebuilt (the unnamed unique constraint on (campaign_id, key) has a different
name on each database); existing summaries become version 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COLUMNS = "id, campaign_id, key, kind, window_end, as_of, result"


def _create(name: str, versioned: bool) -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    columns = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key", text(length=200), nullable=False),
    ]
    if versioned:
        columns.append(sa.Column("version", sa.Integer(), nullable=False))
    columns += [
        sa.Column("kind", text(length=32), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
    ]
    if versioned:
        columns += [
            sa.Column("digest", text(length=64), nullable=False),
            sa.Column("basis", text(length=200), nullable=False),
        ]
    columns.append(sa.Column("result", sa.JSON(), nullable=False))
    if versioned:
        columns.append(sa.Column("changes", sa.JSON(), nullable=False))
    unique = ("campaign_id", "key", "version") if versioned else ("campaign_id", "key")
    op.create_table(
        name,
        *columns,
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*unique),
    )


def _swap(versioned: bool, copy: str) -> None:
    _create("campaign_summary_new", versioned)
    op.execute(copy)
    with op.batch_alter_table("campaign_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_summary_campaign_id"))
    op.drop_table("campaign_summary")
    op.rename_table("campaign_summary_new", "campaign_summary")
    with op.batch_alter_table("campaign_summary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_summary_campaign_id"), ["campaign_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":  # the copied ids are taken
        op.execute(
            "SELECT setval(pg_get_serial_sequence('campaign_summary', 'id'), "
            "COALESCE(MAX(id), 0) + 1, false) FROM campaign_summary"
        )


def upgrade() -> None:
    _swap(
        True,
        f"INSERT INTO campaign_summary_new ({OLD_COLUMNS}, version, digest, basis, changes) "
        f"SELECT {OLD_COLUMNS}, 1, '', '', '[]' FROM campaign_summary",
    )
    _acceptance_tables()


def _acceptance_tables() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("bureau_code", text(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", text(length=100), nullable=False),
        sa.Column("verdict", text(length=32), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bureau_code"], ["bureau.code"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_bureau_code"), ["bureau_code"])
        batch_op.create_index(batch_op.f("ix_inspection_campaign_id"), ["campaign_id"])
    op.create_table(
        "rectification_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("bureau_code", text(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "reported", "closed", name="orderstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("ordered_by", text(length=100), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", text(length=100), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bureau_code"], ["bureau.code"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "number"),
    )
    with op.batch_alter_table("rectification_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_order_bureau_code"), ["bureau_code"])
        batch_op.create_index(batch_op.f("ix_rectification_order_campaign_id"), ["campaign_id"])
        batch_op.create_index(batch_op.f("ix_rectification_order_status"), ["status"])


def downgrade() -> None:
    op.drop_table("rectification_order")
    op.drop_table("inspection")
    _swap(
        False,
        f"INSERT INTO campaign_summary_new ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} "
        "FROM campaign_summary WHERE version = 1",
    )
