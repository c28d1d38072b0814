"""replies: attachments of submissions and used form tokens

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("replies",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("stored_path", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["report_submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("submission_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_attachment_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "form_nonce",
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["report_request.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["report_submission.id"]),
        sa.PrimaryKeyConstraint("nonce"),
    )
    with op.batch_alter_table("form_nonce", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_nonce_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_nonce", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_nonce_request_id"))
    op.drop_table("form_nonce")
    with op.batch_alter_table("submission_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_attachment_submission_id"))
    op.drop_table("submission_attachment")
