"""Seats' backlog reports: per seat and operator, how many changes have not reached the server, since when.

Revision ID: 0011_case_handling
Revises: 0010_lead_queue
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_case_handling"
down_revision = "0010_lead_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seat_backlog",
        sa.Column("seat_id", sa.String(36), sa.ForeignKey("seats.id", name="fk_seat_backlog_seat_id_seats"),
                  nullable=False),
        sa.Column("operator_id", sa.String(16), sa.ForeignKey("users.id", name="fk_seat_backlog_operator_id_users"),
                  nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("oldest_pending_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seat_id", "operator_id", name="pk_seat_backlog"),
    )
    op.create_index("ix_seat_backlog_operator_id", "seat_backlog", ["operator_id"])


def downgrade() -> None:
    op.drop_index("ix_seat_backlog_operator_id", table_name="seat_backlog")
    op.drop_table("seat_backlog")
