"""Knowledge base: articles with immutable versions, their change feed for pulls, and operators' feedback.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_articles',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles'))
    )
    op.create_table('kb_article_versions',
    sa.Column('article_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=120), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('owner', sa.String(length=60), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('edited_by', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_versions_article_id_kb_articles')),
    sa.PrimaryKeyConstraint('article_id', 'version', name=op.f('pk_kb_article_versions'))
    )
    op.create_table('kb_changes',
    sa.Column('change_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('article_id', sa.String(length=200), nullable=False),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_changes_article_id_kb_articles')),
    sa.PrimaryKeyConstraint('change_id', name=op.f('pk_kb_changes'))
    )
    with op.batch_alter_table('kb_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_changes_article_id'), ['article_id'], unique=False)

    op.create_table('kb_feedback',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('article_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.String(length=16), nullable=False),
    sa.Column('seat_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_feedback_article_id_kb_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_feedback'))
    )
    with op.batch_alter_table('kb_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_kb_feedback_article_id_received_at', ['article_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_feedback_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kb_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_feedback_received_at'))
        batch_op.drop_index('ix_kb_feedback_article_id_received_at')

    op.drop_table('kb_feedback')
    with op.batch_alter_table('kb_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_changes_article_id'))

    op.drop_table('kb_changes')
    op.drop_table('kb_article_versions')
    op.drop_table('kb_articles')
