"""report_request.relay_to (a routed duty's reviewing unit); scheduled_event.aggregate

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 19:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_request") as batch_op:
        batch_op.add_column(sa.Column("relay_to", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            "fk_report_request_relay_to_bureau", "bureau", ["relay_to"], ["code"]
        )
        batch_op.create_index("ix_report_request_relay_to", ["relay_to"])
    with op.batch_alter_table("scheduled_event") as batch_op:
        batch_op.add_column(
            sa.Column("aggregate", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_event") as batch_op:
        batch_op.drop_column("aggregate")
    with op.batch_alter_table("report_request") as batch_op:
        batch_op.drop_index("ix_report_request_relay_to")
        batch_op.drop_constraint("fk_report_request_relay_to_bureau", type_="foreignkey")
        batch_op.drop_column("relay_to")
