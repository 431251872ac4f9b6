"""The stable code of a rejected mutation, kept beside its reason so a re-sent seq gets the same answer.

Revision ID: 0007_rejection_code
Revises: 0006_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_rejection_code"
down_revision = "0006_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seat_mutations") as batch:
        batch.add_column(sa.Column("error_code", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seat_mutations") as batch:
        batch.drop_column("error_code")
