"""The first schema of the seat store.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seat",
        sa.Column("seat_id", sa.String(36), primary_key=True),
        sa.Column("seat_code", sa.String(8), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "sync_state",
        sa.Column("seat_id", sa.String(36), sa.ForeignKey("seat.seat_id"), primary_key=True),
        sa.Column("pull_cursor", sa.Integer, nullable=False),
        sa.Column("last_acked_seq", sa.Integer, nullable=False),
        sa.Column("protocol_version", sa.Integer, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("created_by", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("category", sa.String(120), nullable=False),
        sa.Column("district", sa.String(32), nullable=False),
        sa.Column("lead_department", sa.String(32), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("disposition", sa.String(8), nullable=False),
        sa.Column("appeal_type", sa.String(16), nullable=False),
        sa.Column("special_needs", sa.String(64), nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("caller_name", sa.String(30), nullable=False),
        sa.Column("phone", sa.String(24), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("respond_by", sa.String(32), nullable=False),
        sa.Column("finish_by", sa.String(32), nullable=False),
        sa.Column("synced", sa.Boolean, nullable=False),
    )
    op.create_index("ix_cases_created_by_created_at", "cases", ["created_by", "created_at"])
    op.create_index("ix_cases_created_at", "cases", ["created_at"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("operator_id", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mutation_id", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(48), nullable=False),
        sa.Column("args_json", sa.Text, nullable=False),
        sa.Column("operator_id", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "day_counters",
        sa.Column("day", sa.String(8), primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("operator_id", sa.String(16), primary_key=True),
        sa.Column("form_json", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "shift_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("operator_id", sa.String(16), nullable=False),
        sa.Column("login_at", sa.String(32), nullable=False),
        sa.Column("logout_at", sa.String(32), nullable=True),
    )


def downgrade() -> None:
    for name in ("shift_sessions", "drafts", "day_counters", "outbox", "case_events", "cases", "sync_state", "seat"):
        op.drop_table(name)
