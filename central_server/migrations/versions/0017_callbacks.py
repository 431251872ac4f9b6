"""Callbacks (回访): one row per completed case, due after a delay, claimed by one operator at a time.

Revision ID: 0017_callbacks
Revises: 0016_marks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_callbacks"
down_revision = "0016_marks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("special_needs", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("claimed_by", sa.String(16), nullable=True),
        sa.Column("claim_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_callbacks_queue", "callbacks", ["done", "special_needs", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_callbacks_queue", table_name="callbacks")
    op.drop_table("callbacks")
