"""The team lead's KPIs (班次看板): a per-case projection kept up to date as events arrive, the departments each case
was dispatched to (退单 rates), and the telephony system's call records (接通率, waiting times). Cases stored
before this migration get their projection folded from their histories here.

Revision ID: 0012_kpi
Revises: 0011_case_handling
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_kpi"
down_revision = "0011_case_handling"
branch_labels = None
depends_on = None

FIGURES = ("accepted_hour", "dispatched", "respond_by", "first_response_at", "finish_by", "completed_at",
           "routing_suggested", "routing_overridden", "handling_seconds", "callback_result")


def upgrade() -> None:
    op.create_table(
        "case_kpi",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("operator_id", sa.String(16), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_hour", sa.Integer(), nullable=False),
        sa.Column("dispatched", sa.Boolean(), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finish_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("routing_suggested", sa.Boolean(), nullable=False),
        sa.Column("routing_overridden", sa.Boolean(), nullable=False),
        sa.Column("handling_seconds", sa.Integer(), nullable=True),
        sa.Column("callback_result", sa.String(24), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_kpi_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_kpi")),
    )
    # Covering on PostgreSQL (INCLUDE): the KPI query reads the indexes alone.
    op.create_index("ix_case_kpi_operator_id_accepted_at", "case_kpi", ["operator_id", "accepted_at"],
                    postgresql_include=list(FIGURES))
    op.create_index("ix_case_kpi_accepted_at", "case_kpi", ["accepted_at"],
                    postgresql_include=["operator_id", *FIGURES])
    op.create_table(
        "case_kpi_departments",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("department_id", sa.String(32), nullable=False),
        sa.Column("operator_id", sa.String(16), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_kpi_departments_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", "department_id", name=op.f("pk_case_kpi_departments")),
    )
    op.create_index("ix_case_kpi_departments_accepted_at", "case_kpi_departments", ["accepted_at"],
                    postgresql_include=["department_id", "returned"])
    op.create_index("ix_case_kpi_departments_operator_id_accepted_at", "case_kpi_departments",
                    ["operator_id", "accepted_at"], postgresql_include=["department_id", "returned"])
    op.create_table(
        "call_records",
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=False),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("seat_code", sa.String(8), nullable=True),
        sa.Column("operator_id", sa.String(16), nullable=True),
        sa.Column("caller_masked", sa.String(32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_records")),
    )
    op.create_index("ix_call_records_offered_at", "call_records", ["offered_at"],
                    postgresql_include=["abandoned", "wait_seconds"])
    op.create_index("ix_call_records_operator_id_offered_at", "call_records", ["operator_id", "offered_at"],
                    postgresql_include=["abandoned", "wait_seconds", "seat_code"])
    op.create_index("ix_call_records_seat_code_offered_at", "call_records", ["seat_code", "offered_at"],
                    postgresql_include=["abandoned", "wait_seconds"], postgresql_where=sa.text("operator_id IS NULL"),
                    sqlite_where=sa.text("operator_id IS NULL"))
    _fold_existing_cases()


def _fold_existing_cases() -> None:
    from sqlalchemy.orm import Session

    from central_server.core.city import load_city_facts
    from central_server.core.config import Settings, resources_dir
    from central_server.services.kpi_projection import rebuild

    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM cases LIMIT 1")).first() is None:
        return
    timezone = load_city_facts(resources_dir(Settings())).timezone
    session = Session(bind=bind)
    rebuild(session, timezone)
    session.flush()


def downgrade() -> None:
    op.drop_table("call_records")
    op.drop_table("case_kpi_departments")
    op.drop_table("case_kpi")
