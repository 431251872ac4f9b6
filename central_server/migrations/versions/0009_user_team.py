"""The team (班组) each person works in: a team lead's workbench shows the cases of their own team.

Revision ID: 0009_user_team
Revises: 0008_sent_id
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_user_team"
down_revision = "0008_sent_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("team", sa.String(32), nullable=False, server_default=""))
        batch.create_index("ix_users_team", ["team"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_team")
        batch.drop_column("team")
