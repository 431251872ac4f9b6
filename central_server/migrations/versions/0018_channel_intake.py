"""Channel messages (网络渠道): citizens' messages from WeChat, the app and the website, waiting in one queue for an
operator to claim, then linked to the case made from them or closed as a 110/119/120 hand-off.

Revision ID: 0018_channel_intake
Revises: 0017_callbacks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_channel_intake"
down_revision = "0017_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_messages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.String(30), nullable=False),
        sa.Column("contact_phone", sa.String(32), nullable=False),
        sa.Column("special_needs", sa.JSON(), nullable=False),
        sa.Column("special", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("claimed_by", sa.String(16), nullable=True),
        sa.Column("claim_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("case_number", sa.String(32), nullable=True),
        sa.Column("handoff_to", sa.String(4), nullable=True),
        sa.Column("handoff_note", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(16), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_messages")),
        sa.UniqueConstraint("channel", "message_id", name=op.f("uq_channel_messages_channel_message_id")),
    )
    op.create_index("ix_channel_messages_queue", "channel_messages", ["status", "special", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_channel_messages_queue", table_name="channel_messages")
    op.drop_table("channel_messages")
