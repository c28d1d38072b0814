"""units: kinds, own government and groups in the registry; a request's recipients

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("bureau", "government", "department", "division", "affiliate")


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    with op.batch_alter_table("bureau", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(*_KINDS, name="unitkind", native_enum=False, length=16),
                nullable=False,
                server_default="bureau",
            )
        )
        batch_op.add_column(sa.Column("government_code", text(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("groups", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_foreign_key(
            "fk_bureau_government_code_bureau", "bureau", ["government_code"], ["code"]
        )
    with op.batch_alter_table("report_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recipients", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("report_request", schema=None) as batch_op:
        batch_op.drop_column("recipients")
    with op.batch_alter_table("bureau", schema=None) as batch_op:
        batch_op.drop_constraint("fk_bureau_government_code_bureau", type_="foreignkey")
        batch_op.drop_column("groups")
        batch_op.drop_column("government_code")
        batch_op.drop_column("kind")
