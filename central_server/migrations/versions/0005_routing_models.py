"""Published routing releases: a model, maybe with a routing directory, that seats use once its hashes check.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_models",
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_routing_models")),
    )
    op.create_index(op.f("ix_routing_models_published_at"), "routing_models", ["published_at"])
    op.create_table(
        "routing_model_files",
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["version"], ["routing_models.version"],
                                name=op.f("fk_routing_model_files_version_routing_models")),
        sa.PrimaryKeyConstraint("version", "name", name=op.f("pk_routing_model_files")),
    )


def downgrade() -> None:
    op.drop_table("routing_model_files")
    op.drop_index(op.f("ix_routing_models_published_at"), table_name="routing_models")
    op.drop_table("routing_models")
