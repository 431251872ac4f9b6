"""A partial index of the case events departments add (every kind but `created`).

Seats pull with `skip_own`: the created events they made themselves are most of their feed, and they hold them
already. The pull then asks only for the other events of its cases; this index holds just those, so the question
costs the same whether the seat created ten cases since its cursor or ten thousand, and the commit-time stamping
of created events (migration 0003) never touches it.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHERE = sa.text("kind <> 'created'")  # models.NOT_OWN_SQL, frozen as it was when written


def upgrade() -> None:
    op.create_index("ix_case_events_seat_actions", "case_events", ["seat_id", "change_id"],
                    postgresql_where=WHERE, sqlite_where=WHERE)


def downgrade() -> None:
    op.drop_index("ix_case_events_seat_actions", table_name="case_events")
