"""Same-issue candidates (重复件): the open cases of one place in the last 30 days are read by the place key the
hot spots already compute (case_topics.place_key), newest first.

Revision ID: 0019_same_issue
Revises: 0018_channel_intake
"""

from __future__ import annotations

from alembic import op

revision = "0019_same_issue"
down_revision = "0018_channel_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_topics_place_key_accepted_at", "case_topics", ["place_key", "accepted_at"])


def downgrade() -> None:
    op.drop_index("ix_case_topics_place_key_accepted_at", table_name="case_topics")
