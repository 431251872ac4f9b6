"""Index the outbox by entity: after each acknowledged batch the sync asks which of its cases still have
queued changes, and without the index that read every row of the outbox (case texts included) per batch.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_entity_id", "outbox", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_entity_id", table_name="outbox")
