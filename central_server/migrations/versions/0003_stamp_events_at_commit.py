"""On PostgreSQL, case events take their change id when their transaction commits.

Pushes from every seat serialise on the one change-counter row. Stamped from Python, a push held that row's lock
while its thread went back and forth for the INSERT and the COMMIT — and under load each of those trips waited
for the interpreter lock, so pushes queued behind one another for seconds. A deferred constraint trigger stamps
each new event (in insert order) inside COMMIT itself: the lock is held for microseconds per event, and ids
still follow commit order. Events inserted with a change id (department actions) keep it. SQLite serialises
writers anyway; there the code stamps ids as before.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION stamp_case_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_id bigint;
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value INTO next_id;
    UPDATE case_events SET change_id = next_id WHERE id = NEW.id;
    RETURN NULL;
END
$$
"""

TRIGGER = """
CREATE CONSTRAINT TRIGGER case_events_stamp_at_commit
    AFTER INSERT ON case_events
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.change_id IS NULL)
    EXECUTE FUNCTION stamp_case_event()
"""


def upgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.alter_column("change_id", existing_type=sa.BigInteger(), nullable=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_events_stamp_at_commit ON case_events")
        op.execute("DROP FUNCTION stamp_case_event()")
    with op.batch_alter_table("case_events") as batch:
        batch.alter_column("change_id", existing_type=sa.BigInteger(), nullable=False)
