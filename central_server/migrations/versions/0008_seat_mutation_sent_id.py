"""seat_mutations.sent_mutation_id: the mutation_id each stored seq was sent with, always.

`mutation_id` stays the unique claim on an id (NULL for a seq that re-used an id seen before), so the bulk path
still detects a re-used id by the clash. A seq sent again is compared with `sent_mutation_id`: the same id gets
its stored outcome, another id is a conflict (never "duplicate"). Rows stored before this column existed get
their claimed id; a row that re-used an id kept none, so its column stays NULL and any change re-sent under its
seq is answered `conflict` (the seat sends it again above the mark, where its id is looked up as usual).

Revision ID: 0008_sent_id
Revises: 0007_rejection_code
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sent_id"
down_revision = "0007_rejection_code"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seat_mutations") as batch:
        batch.add_column(sa.Column("sent_mutation_id", sa.String(36), nullable=True))
    op.execute("UPDATE seat_mutations SET sent_mutation_id = mutation_id WHERE mutation_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("seat_mutations") as batch:
        batch.drop_column("sent_mutation_id")
