"""rectification_order: each 整改 order is a report request (kind rectification)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 19:30:00

An order's state lived in its own columns (status, report, reported_at, closed_at,
closed_by, escalated_at) and was chased by a tick step of its own. It now is a
report_request (duty "rectification", period "order-N"), chased, reviewed and answered
like any report: every existing order gets its request; an order reported done gets its
report as submission version 1 (pending review), a closed one (销号) that submission
accepted by whoever closed it. Then the old columns go.

An order still open keeps its request (marked overdue by the next tick once past its
deadline, listed, answerable through a link the coordinator reissues: `campaign links
reissue`); the reminder and escalation events new orders get are not added for it here
(they follow the plan's reminder policy, which a migration does not read).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUTY = "rectification"
STATUS = {"open": "open", "reported": "submitted", "closed": "accepted"}
OLD = ("status", "reported_at", "report", "closed_at", "closed_by", "escalated_at")

MOMENT, DAY, TEXT = sa.DateTime(timezone=True), sa.Date(), sa.Text()
orders = sa.table(
    "rectification_order",
    *(sa.column(n, sa.Integer()) for n in ("id", "campaign_id", "number", "request_id")),
    *(sa.column(n, TEXT) for n in ("bureau_code", "status", "report", "closed_by")),
    *(sa.column(n, MOMENT) for n in ("ordered_at", "reported_at", "closed_at", "escalated_at")),
    sa.column("deadline", DAY),
)
requests = sa.table(
    "report_request",
    *(sa.column(n, sa.Integer()) for n in ("id", "campaign_id")),
    *(
        sa.column(n, TEXT)
        for n in ("duty_key", "period_key", "period_label", "bureau_code", "kind", "status")
    ),  # fmt: skip
    *(sa.column(n, DAY) for n in ("period_start", "period_end", "due_date")),
    *(sa.column(n, MOMENT) for n in ("opened_at", "answered_at")),
    sa.column("late", sa.Boolean()),
    sa.column("recipients", sa.JSON()),
)
submissions = sa.table(
    "report_submission",
    *(sa.column(n, sa.Integer()) for n in ("request_id", "campaign_id", "version")),
    *(
        sa.column(n, TEXT)
        for n in ("bureau_code", "narrative", "channel", "review_status", "reviewer")
    ),  # fmt: skip
    *(sa.column(n, MOMENT) for n in ("submitted_at", "reviewed_at")),
    sa.column("late", sa.Boolean()),
    sa.column("values", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("rectification_order") as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    for row in bind.execute(sa.select(orders).order_by(orders.c.id)).mappings().all():
        reported = row["reported_at"]
        late = bool(reported is not None and reported.date() > row["deadline"])
        request_id = bind.execute(
            requests.insert()
            .values(
                campaign_id=row["campaign_id"],
                duty_key=DUTY,
                period_key=f"order-{row['number']}",
                period_label=f"整改通知第{row['number']}号",
                period_start=row["ordered_at"].date(),
                period_end=row["deadline"],
                bureau_code=row["bureau_code"],
                kind=DUTY,
                due_date=row["deadline"],
                status=STATUS[row["status"]],
                opened_at=row["ordered_at"],
                answered_at=reported,
                late=late,
                recipients=[],
            )  # fmt: skip
            .returning(requests.c.id)
        ).scalar_one()
        if row["status"] != "open":
            closed = row["status"] == "closed"
            bind.execute(
                submissions.insert().values(
                    request_id=request_id,
                    campaign_id=row["campaign_id"],
                    bureau_code=row["bureau_code"],
                    version=1,
                    values={},
                    narrative=row["report"] or "",
                    channel="cli",
                    submitted_at=reported or row["ordered_at"],
                    late=late,
                    review_status="accepted" if closed else "pending",
                    reviewed_at=row["closed_at"] if closed else None,
                    reviewer=(row["closed_by"] or None) if closed else None,
                )  # fmt: skip
            )
        bind.execute(orders.update().where(orders.c.id == row["id"]).values(request_id=request_id))
    with op.batch_alter_table("rectification_order") as batch_op:
        batch_op.alter_column("request_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_rectification_order_request_id", ["request_id"], unique=True)
        batch_op.create_foreign_key(
            "fk_rectification_order_request_id", "report_request", ["request_id"], ["id"]
        )
        batch_op.drop_index("ix_rectification_order_status")
        for name in OLD:
            batch_op.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table("rectification_order") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("report", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("closed_by", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    back = {"submitted": "reported", "accepted": "closed"}
    for order_id, request_id in bind.execute(sa.select(orders.c.id, orders.c.request_id)).all():
        status = bind.execute(
            sa.select(requests.c.status).where(requests.c.id == request_id)
        ).scalar_one()
        latest = bind.execute(
            sa.select(submissions.c.narrative, submissions.c.submitted_at,
                      submissions.c.reviewed_at, submissions.c.reviewer)
            .where(submissions.c.request_id == request_id)
            .order_by(submissions.c.version.desc())
            .limit(1)
        ).first()  # fmt: skip
        values: dict[str, object] = {"status": back.get(status, "open")}
        if latest is not None and status in back:
            values.update(report=latest[0], reported_at=latest[1])
            if status == "accepted":
                values.update(closed_at=latest[2], closed_by=latest[3] or "")
        bind.execute(orders.update().where(orders.c.id == order_id).values(**values))
    with op.batch_alter_table("rectification_order") as batch_op:
        batch_op.create_index("ix_rectification_order_status", ["status"])
        batch_op.drop_constraint("fk_rectification_order_request_id", type_="foreignkey")
        batch_op.drop_index("ix_rectification_order_request_id")
        batch_op.drop_column("request_id")
    # The orders' requests go, with what hangs on them (their files stay on disk).
    asked = f"(SELECT id FROM report_request WHERE duty_key = '{DUTY}')"
    answers = f"(SELECT id FROM report_submission WHERE request_id IN {asked})"
    for statement in (
        f"UPDATE inbox_message SET request_id = NULL, submission_id = NULL"
        f" WHERE request_id IN {asked}",
        f"DELETE FROM form_nonce WHERE request_id IN {asked}",
        f"DELETE FROM submission_attachment WHERE submission_id IN {answers}",
        f"DELETE FROM report_submission WHERE request_id IN {asked}",
        f"DELETE FROM reply_link WHERE request_id IN {asked}",
        f"DELETE FROM scheduled_event WHERE duty = '{DUTY}'",
        f"DELETE FROM report_request WHERE duty_key = '{DUTY}'",
    ):
        bind.execute(sa.text(statement))
