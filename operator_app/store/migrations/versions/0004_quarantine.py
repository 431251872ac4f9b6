"""quarantine: pulled changes the seat could not apply, kept for a person while the rest of the feed goes on.

A change that fails to apply (a created event without a field the seat needs, a payload of the wrong shape) used
to fail every sync pass at the same place. It is now stored here whole, logged by id and error class only, and
the status bar counts it (sync/quarantine.py).

Revision ID: 0004_quarantine
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_quarantine"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("change_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("case_id", sa.String(200), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("error", sa.String(64), nullable=False),
        sa.Column("data_json", sa.Text, nullable=False),
        sa.Column("quarantined_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("entity", "change_id", "version", name="uq_quarantine_change"),
    )


def downgrade() -> None:
    op.drop_table("quarantine")
