"""inbox: mail read from the office's mailbox, extra sender addresses, outbox headers

Revision ID: 0013
Revises: 0008
Create Date: 2026-11-30 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENUM = {"native_enum": False, "length": 16}


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "inbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", text(length=250), nullable=False),
        sa.Column("folder", text(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("from_addr", text(length=254), nullable=False),
        sa.Column("from_name", text(length=200), nullable=False),
        sa.Column("subject", text(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reply", "auto_reply", "bounce", "own", name="inboxkind", **_ENUM),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "accepted",
                "rejected",
                "held",
                "ignored",
                "dismissed",
                name="inboxoutcome",
                **_ENUM,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("bureau_code", text(length=32), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("reply_message_id", sa.Integer(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", text(length=100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bureau_code"], ["bureau.code"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["reply_message_id"], ["outbox_message.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["report_request.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["report_submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("inbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_message_place", ["folder", "uidvalidity", "uid"])
        batch_op.create_index(batch_op.f("ix_inbox_message_from_addr"), ["from_addr"])
        batch_op.create_index(batch_op.f("ix_inbox_message_outcome"), ["outcome"])
        batch_op.create_index(batch_op.f("ix_inbox_message_campaign_id"), ["campaign_id"])
        batch_op.create_index(batch_op.f("ix_inbox_message_request_id"), ["request_id"])
    op.create_table(
        "inbox_sender",
        sa.Column("email", text(length=254), nullable=False),
        sa.Column("bureau_code", text(length=32), nullable=False),
        sa.Column("added_by", text(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bureau_code"], ["bureau.code"]),
        sa.PrimaryKeyConstraint("email"),
    )
    with op.batch_alter_table("inbox_sender", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_sender_bureau_code"), ["bureau_code"])
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("headers", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("headers")
    op.drop_table("inbox_sender")
    op.drop_table("inbox_message")
