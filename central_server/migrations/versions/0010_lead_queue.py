"""The caller's phone of every case, indexed: the team lead's queue counts repeat callers (the same phone within
30 days before a case, city-wide) with one statement over the queue's phones.

The expression is the one `db.models.CallerPhone` renders for the queries, written out per back end (an index on
an expression serves only a query that spells it the same way).

Revision ID: 0010_lead_queue
Revises: 0009_user_team
"""

from __future__ import annotations

from alembic import op

revision = "0010_lead_queue"
down_revision = "0009_user_team"
branch_labels = None
depends_on = None

INDEX = "ix_cases_phone"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {INDEX} ON cases ((fields ->> 'phone'), received_at)")
    else:
        op.execute(f"CREATE INDEX {INDEX} ON cases (json_extract(fields, '$.phone'), received_at)")


def downgrade() -> None:
    op.execute(f"DROP INDEX {INDEX}")
