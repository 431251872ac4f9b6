"""Quality reviews (质检): the cases a team lead sampled and the points they gave per scoresheet item.

Revision ID: 0014_quality
Revises: 0013_hotspot
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_quality"
down_revision = "0013_hotspot"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_reviews",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("operator_id", sa.String(16), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sampled_by", sa.String(16), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("sheet", sa.JSON(), nullable=True),
        sa.Column("sheet_sha256", sa.String(64), nullable=True),
        sa.Column("scored_by", sa.String(16), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_quality_reviews_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_reviews")),
        sa.UniqueConstraint("case_id", name=op.f("uq_quality_reviews_case_id")),
    )
    op.create_index("ix_quality_reviews_operator_id_accepted_at", "quality_reviews", ["operator_id", "accepted_at"])


def downgrade() -> None:
    op.drop_index("ix_quality_reviews_operator_id_accepted_at", table_name="quality_reviews")
    op.drop_table("quality_reviews")
