"""The first schema of the central server: users, seats, pushed mutations, cases, events, change counter.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_counter'))
    )
    op.create_table('users',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('seats',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('seat_code', sa.String(length=8), nullable=False),
    sa.Column('credential_hash', sa.String(length=64), nullable=False),
    sa.Column('registered_by', sa.String(length=16), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_applied_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['registered_by'], ['users.id'], name=op.f('fk_seats_registered_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seats')),
    sa.UniqueConstraint('seat_code', name=op.f('uq_seats_seat_code'))
    )
    op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('seat_id', sa.String(length=36), nullable=False),
    sa.Column('created_by', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('lead_department', sa.String(length=32), nullable=False),
    sa.Column('respond_by', sa.String(length=40), nullable=False),
    sa.Column('finish_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_event_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_cases_created_by_users')),
    sa.ForeignKeyConstraint(['seat_id'], ['seats.id'], name=op.f('fk_cases_seat_id_seats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_cases_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_created_by_received_at', ['created_by', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_seat_id'), ['seat_id'], unique=False)

    op.create_table('seat_mutations',
    sa.Column('seat_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('mutation_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=48), nullable=False),
    sa.Column('operator_id', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['seat_id'], ['seats.id'], name=op.f('fk_seat_mutations_seat_id_seats')),
    sa.PrimaryKeyConstraint('seat_id', 'seq', name=op.f('pk_seat_mutations')),
    sa.UniqueConstraint('mutation_id', name=op.f('uq_seat_mutations_mutation_id'))
    )
    op.create_table('case_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('operator_id', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sa.String(length=40), nullable=False),
    sa.Column('seat_id', sa.String(length=36), nullable=False),
    sa.Column('change_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events')),
    sa.UniqueConstraint('case_id', 'seq', name=op.f('uq_case_events_case_id_seq')),
    sa.UniqueConstraint('change_id', name=op.f('uq_case_events_change_id'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_seat_id_change_id', ['seat_id', 'change_id'], unique=False)

    counter = sa.table("change_counter", sa.column("id", sa.Integer), sa.column("value", sa.BigInteger))
    op.bulk_insert(counter, [{"id": 1, "value": 0}])


def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_seat_id_change_id')

    op.drop_table('case_events')
    op.drop_table('seat_mutations')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_seat_id'))
        batch_op.drop_index('ix_cases_created_by_received_at')

    op.drop_table('cases')
    op.drop_table('seats')
    op.drop_table('users')
    op.drop_table('change_counter')
