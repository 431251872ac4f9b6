"""Practice results: each attempt's skills as two bit masks (which skills were scored, which were right), so the
trainer's results count per skill with integer arithmetic instead of expanding every score's JSON.

Filled by services/practice_results.py (`skill_marks`) when an attempt is stored, and for any attempt still without
them before results are counted.

Revision ID: 0016_marks
Revises: 0015_practice
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_marks"
down_revision = "0015_practice"
branch_labels = None
depends_on = None
RESULT_COLUMNS = ("submitted_at", "user_id", "assignment_id", "total", "seconds", "skills_scored", "skills_right",
                  "expected_category", "given_category")


def upgrade() -> None:
    with op.batch_alter_table("practice_attempts") as batch:
        batch.add_column(sa.Column("skills_scored", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("skills_right", sa.Integer(), nullable=True))
    # everything the results count, in submission order: the counts read this index only, never the wide rows
    # (answers and score JSON make a row some 2 kB)
    op.create_index("ix_practice_attempts_results", "practice_attempts", list(RESULT_COLUMNS))
    # only the attempts still without masks: finding them costs nothing once every attempt has them
    op.create_index("ix_practice_attempts_unmarked", "practice_attempts", ["id"],
                    sqlite_where=sa.text("skills_scored IS NULL"), postgresql_where=sa.text("skills_scored IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_practice_attempts_unmarked", table_name="practice_attempts")
    op.drop_index("ix_practice_attempts_results", table_name="practice_attempts")
    with op.batch_alter_table("practice_attempts") as batch:
        batch.drop_column("skills_right")
        batch.drop_column("skills_scored")
