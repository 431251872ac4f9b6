"""Hot spots (热点): groups of cases about one issue at one place, and each case's group with its acceptance time.

Revision ID: 0013_hotspot
Revises: 0012_kpi
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_hotspot"
down_revision = "0012_kpi"
branch_labels = None
depends_on = None

GROUPED = sa.text("grouped")  # models.GROUPED_SQL, frozen as it was when written


def upgrade() -> None:
    op.create_table(
        "hotspot_groups",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("place_key", sa.String(64), nullable=False),
        sa.Column("specific", sa.Boolean(), nullable=False),
        sa.Column("district", sa.String(64), nullable=False),
        sa.Column("street", sa.String(64), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supervised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supervised_by", sa.String(16), nullable=True),
        sa.Column("supervise_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_hotspot_groups"),
    )
    op.create_index("ix_hotspot_groups_place_key_last_at", "hotspot_groups", ["place_key", "last_at"])
    op.create_table(
        "case_topics",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place_key", sa.String(64), nullable=False),
        sa.Column("group_id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("grouped", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_topics_case_id_cases"),
        sa.ForeignKeyConstraint(["group_id"], ["hotspot_groups.id"], name="fk_case_topics_group_id_hotspot_groups"),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_topics"),
    )
    op.create_index("ix_case_topics_grouped_range", "case_topics", ["accepted_at", "group_id"],
                    postgresql_where=GROUPED, sqlite_where=GROUPED)
    op.create_index("ix_case_topics_group_id_accepted_at", "case_topics", ["group_id", "accepted_at"])


def downgrade() -> None:
    op.drop_table("case_topics")
    op.drop_table("hotspot_groups")
