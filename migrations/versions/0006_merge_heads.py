"""Merge the three branches of the first release into one head.

0003 (orchestration), 0004 (mail) and 0005 (replies) each sat on 0001, so `alembic upgrade
head` failed with "Multiple head revisions". Every later revision chains on this one.

Revision ID: 0006
Revises: 0003, 0004, 0005
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0003", "0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
