"""sync_state.pull_own: the seat must pull its own created events back (its store is older than the server).

Set when a push answer shows the server holds mutations this store never made (a store restored from a backup):
the seat renumbers its queue above the server's mark and, until one pull has caught up, pulls without skip_own
so the cases made after the backup come back.

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


def upgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(sa.Column("pull_own", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("pull_own")
