"""The seat's local tables (SQLAlchemy Core). Changing them needs an Alembic migration in migrations/versions."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# The seat this store belongs to: made once when the store is created, never reused.
seat = Table(
    "seat", metadata,
    Column("seat_id", String(36), primary_key=True),
    Column("seat_code", String(8), nullable=False),
    Column("created_at", String(32), nullable=False),
)

sync_state = Table(
    "sync_state", metadata,
    Column("seat_id", String(36), ForeignKey("seat.seat_id"), primary_key=True),
    Column("pull_cursor", Integer, nullable=False, default=0),
    Column("last_acked_seq", Integer, nullable=False, default=0),
    Column("protocol_version", Integer, nullable=False, default=1),
    # The store is older than what the server holds for this seat: pull its own cases back (sync/engine.py).
    Column("pull_own", Boolean, nullable=False, default=False, server_default=false()),
)

# Current state of each case, projected from case_events in the same transaction that appends them.
cases = Table(
    "cases", metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("created_by", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("category", String(120), nullable=False),
    Column("district", String(32), nullable=False),
    Column("lead_department", String(32), nullable=False),
    Column("urgency", String(8), nullable=False),
    Column("disposition", String(8), nullable=False),
    Column("appeal_type", String(16), nullable=False),
    Column("special_needs", String(64), nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("caller_name", String(30), nullable=False),
    Column("phone", String(24), nullable=False),
    Column("content", Text, nullable=False),
    Column("respond_by", String(32), nullable=False),
    Column("finish_by", String(32), nullable=False),
    Column("synced", Boolean, nullable=False, default=False),
    Index("ix_cases_created_by_created_at", "created_by", "created_at"),
    Index("ix_cases_created_at", "created_at"),
)

case_events = Table(
    "case_events", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload_json", Text, nullable=False),
    Column("operator_id", String(16), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
)

# Transactional outbox: seq is monotonic per seat and never reused (AUTOINCREMENT).
outbox = Table(
    "outbox", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("mutation_id", String(36), nullable=False, unique=True),
    Column("name", String(48), nullable=False),
    Column("args_json", Text, nullable=False),
    Column("operator_id", String(16), nullable=False),
    Column("entity_id", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("state", String(10), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Index("ix_outbox_state", "state"),
    Index("ix_outbox_entity_id", "entity_id"),  # record_push: which acked cases still have queued changes
    sqlite_autoincrement=True,
)

# Per-day case sequence of this seat, for case numbers issued offline.
day_counters = Table(
    "day_counters", metadata,
    Column("day", String(8), primary_key=True),
    Column("last_seq", Integer, nullable=False),
)

# The form being typed, per operator, saved continuously so a crash loses nothing.
drafts = Table(
    "drafts", metadata,
    Column("operator_id", String(16), primary_key=True),
    Column("form_json", Text, nullable=False),
    Column("updated_at", String(32), nullable=False),
)

# Logins on this seat: defines "this shift" and who was on the seat when.
shift_sessions = Table(
    "shift_sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("operator_id", String(16), nullable=False),
    Column("login_at", String(32), nullable=False),
    Column("logout_at", String(32), nullable=True),
)

# Pulled changes this seat could not apply (sync/pull_apply.py): kept whole for a person, the rest of the feed
# goes on. `error` is the exception's class only.
quarantine = Table(
    "quarantine", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(32), nullable=False),
    Column("change_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("case_id", String(200), nullable=False),
    Column("number", String(32), nullable=False),  # the case number, when the change names one
    Column("error", String(64), nullable=False),
    Column("data_json", Text, nullable=False),
    Column("quarantined_at", String(32), nullable=False),
    UniqueConstraint("entity", "change_id", "version", name="uq_quarantine_change"),
)
