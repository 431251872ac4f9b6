"""Practice mode (练习): scenarios with their versions, exercises and exams assigned to trainees, and attempts.

Revision ID: 0015_practice
Revises: 0014_quality
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_practice"
down_revision = "0014_quality"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_scenarios",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(16), nullable=False),
        sa.Column("updated_by", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_scenarios")),
    )
    op.create_index("ix_practice_scenarios_status", "practice_scenarios", ["status"])
    op.create_table(
        "practice_scenario_versions",
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.String(16), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["practice_scenarios.id"],
                                name=op.f("fk_practice_scenario_versions_scenario_id_practice_scenarios")),
        sa.PrimaryKeyConstraint("scenario_id", "version", name=op.f("pk_practice_scenario_versions")),
    )
    op.create_table(
        "practice_assignments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("scenario_ids", sa.JSON(), nullable=False),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=True),
        sa.Column("suggestions_off", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_assignments")),
    )
    op.create_table(
        "practice_assignees",
        sa.Column("assignment_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["practice_assignments.id"],
                                name=op.f("fk_practice_assignees_assignment_id_practice_assignments")),
        sa.PrimaryKeyConstraint("assignment_id", "user_id", name=op.f("pk_practice_assignees")),
    )
    op.create_index("ix_practice_assignees_user_id", "practice_assignees", ["user_id"])
    op.create_table(
        "practice_attempts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(16), nullable=False),
        sa.Column("seat_id", sa.String(36), nullable=True),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("scenario_version", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.String(36), nullable=True),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("cited", sa.JSON(), nullable=False),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("expected_category", sa.String(200), nullable=False),
        sa.Column("given_category", sa.String(200), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("over_time", sa.Boolean(), nullable=False),
        sa.Column("suggestions_shown", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_attempts")),
    )
    op.create_index("ix_practice_attempts_user_id_submitted_at", "practice_attempts", ["user_id", "submitted_at"])
    op.create_index("ix_practice_attempts_assignment_id", "practice_attempts", ["assignment_id"])


def downgrade() -> None:
    op.drop_index("ix_practice_attempts_assignment_id", table_name="practice_attempts")
    op.drop_index("ix_practice_attempts_user_id_submitted_at", table_name="practice_attempts")
    op.drop_table("practice_attempts")
    op.drop_index("ix_practice_assignees_user_id", table_name="practice_assignees")
    op.drop_table("practice_assignees")
    op.drop_table("practice_assignments")
    op.drop_table("practice_scenario_versions")
    op.drop_index("ix_practice_scenarios_status", table_name="practice_scenarios")
    op.drop_table("practice_scenarios")
