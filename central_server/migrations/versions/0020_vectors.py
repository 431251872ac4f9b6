"""Sentence vectors (issue 18): one per knowledge-base article version and one per case, made on the server.

Revision ID: 0020_vectors
Revises: 0019_same_issue
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_vectors"
down_revision = "0019_same_issue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_article_vectors",
        sa.Column("article_id", sa.String(200), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("encoder", sa.String(100), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "case_vectors",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("encoder", sa.String(100), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_vectors")
    op.drop_table("kb_article_vectors")
