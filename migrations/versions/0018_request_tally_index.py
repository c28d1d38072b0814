"""report_request: covering indexes for the console's tallies

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models.request's indexes, written out: a migration does not follow later models.
UNITS = ["campaign_id", "duty_key", "bureau_code", "kind", "status", "late", "due_date"]
PERIODS = ["campaign_id", "duty_key", "period_key", "kind", "status", "late", "due_date"]


def upgrade() -> None:
    op.create_index(
        "ix_report_request_units", "report_request", [*UNITS, "period_end", "period_key"]
    )
    op.create_index(
        "ix_report_request_periods", "report_request", [*PERIODS, "period_end", "period_label"]
    )


def downgrade() -> None:
    op.drop_index("ix_report_request_periods", table_name="report_request")
    op.drop_index("ix_report_request_units", table_name="report_request")
