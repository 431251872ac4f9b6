"""The server's tables (SQLAlchemy 2 ORM). Changing them needs a migration in central_server/migrations/versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from contract.events import CREATED

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

COUNTER_ROW_ID = 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who logs in. `id` is the work number (工号) and doubles as the username and the operator_id."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    username: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(16))
    # The team (班组) a person works in: a team lead reviews the cases of the operators of their own team.
    team: Mapped[str] = mapped_column(String(32), default="", index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Seat(Base):
    """A registered seat; `last_applied_seq` is its high-water mark of pushed mutations."""

    __tablename__ = "seats"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seat_code: Mapped[str] = mapped_column(String(8), unique=True)
    credential_hash: Mapped[str] = mapped_column(String(64))
    registered_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_applied_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SeatMutation(Base):
    """The stored outcome of every seq a seat pushed, so a re-sent seq gets the same answer."""

    __tablename__ = "seat_mutations"

    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # The unique claim on an id: NULL when this seq re-used a mutation_id seen before (the first holder keeps it).
    mutation_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    # The id this seq was sent with, always (NULL only in rows stored before migration 0006 that claimed no id):
    # a seq sent again with another id is a conflict, never a duplicate.
    sent_mutation_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(48))
    operator_id: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(32))  # MutationResult.code of a rejection
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CallerPhone(ColumnElement[str]):
    """The caller's phone inside a case's fields, spelt the same in the index (migration 0010) and in the queries
    that use it: an index on an expression serves only a query that writes it the same way."""

    inherit_cache = True
    type = String()


@compiles(CallerPhone)
def _phone_sqlite(_element: CallerPhone, _compiler: object, **_kw: object) -> str:
    return "json_extract(fields, '$.phone')"


@compiles(CallerPhone, "postgresql")
def _phone_postgresql(_element: CallerPhone, _compiler: object, **_kw: object) -> str:
    return "(fields ->> 'phone')"


class Case(Base):
    """Current state of a case, projected from its events in the transaction that appends them."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_created_by_received_at", "created_by", "received_at"),
        # Repeat callers: the earlier cases of a phone (the team lead's queue).
        Index("ix_cases_phone", CallerPhone(), "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    lead_department: Mapped[str] = mapped_column(String(32))
    respond_by: Mapped[str] = mapped_column(String(40))
    finish_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[str] = mapped_column(String(40))  # the seat's recorded_at: display only
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_event_seq: Mapped[int] = mapped_column(Integer)


# The only event kind a seat makes itself (case.created); departments add the others.
OWN_EVENT_KIND = CREATED
NOT_OWN_SQL = f"kind <> '{OWN_EVENT_KIND}'"


class CaseEvent(Base):
    """One fact about a case; `change_id` is its place in the pull feed (commit order)."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq"),
        Index("ix_case_events_seat_id_change_id", "seat_id", "change_id"),
        # Pulls with skip_own read only these (migration 0004).
        Index("ix_case_events_seat_actions", "seat_id", "change_id", postgresql_where=text(NOT_OWN_SQL),
              sqlite_where=text(NOT_OWN_SQL)),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    operator_id: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[str] = mapped_column(String(40))
    seat_id: Mapped[str] = mapped_column(String(36))  # the case's seat: pulls filter on it
    # NULL only inside the writing transaction on PostgreSQL: stamped at commit (migration 0003).
    change_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)


class ChangeCounter(Base):
    """One row; every change takes its id from it inside the writing transaction, so ids follow commit order."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class KbArticle(Base):
    """A knowledge-base article: its current version and whether it is retired (the text lives in versions)."""

    __tablename__ = "kb_articles"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    current_version: Mapped[int] = mapped_column(Integer)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KbArticleVector(Base):
    """The sentence vector of one article version (semantic/), made on the server when the version is published or
    by the background embedder (services/vectors*), and carried to seats with the article in the pull. `encoder`
    names the model: a new one re-embeds every current version."""

    __tablename__ = "kb_article_vectors"

    article_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    encoder: Mapped[str] = mapped_column(String(100))
    dim: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # semantic.codec.pack: float32 scale + int8 components
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseVector(Base):
    """The sentence vector of a case's content, made on the server after the case arrives (never on the push's
    path): same-issue candidates, hot spots and the routing leaves read it."""

    __tablename__ = "case_vectors"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    encoder: Mapped[str] = mapped_column(String(100))
    dim: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KbArticleVersion(Base):
    """One version of an article; every edit adds a row, none is ever changed. Times are naive city time."""

    __tablename__ = "kb_article_versions"

    article_id: Mapped[str] = mapped_column(ForeignKey("kb_articles.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(120))
    departments: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    effective_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    owner: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    edited_by: Mapped[str] = mapped_column(String(16))  # a user id, or "import"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KbChange(Base):
    """The pull feed of the knowledge base (for every seat): an upsert of a version, or a retirement."""

    __tablename__ = "kb_changes"

    change_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[str] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    op: Mapped[str] = mapped_column(String(8))  # "upsert" | "delete"
    version: Mapped[int] = mapped_column(Integer)


class KbFeedback(Base):
    """An operator's verdict on one article version, pushed by a seat ("kb.feedback"), for the editors."""

    __tablename__ = "kb_feedback"
    __table_args__ = (Index("ix_kb_feedback_article_id_received_at", "article_id", "received_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the seat-made feedback_id
    article_id: Mapped[str] = mapped_column(ForeignKey("kb_articles.id"))
    version: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    operator_id: Mapped[str] = mapped_column(String(16))
    seat_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[str] = mapped_column(String(40))  # the seat's clock: display only
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RoutingModelRelease(Base):
    """A routing model, with the routing directory if one came with it, that an administrator published
    (`central-server routing publish DIR`). The one published most recently is current; publishing an older release
    again makes it current again (a rollback)."""

    __tablename__ = "routing_models"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)  # the release: one hash over every file
    model_version: Mapped[str] = mapped_column(String(64))  # the manifest's content hash
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # file name -> sha256, manifest.json included


class RoutingModelFile(Base):
    """One file of a published release, as published (seats check its sha256 and the manifest again)."""

    __tablename__ = "routing_model_files"

    version: Mapped[str] = mapped_column(ForeignKey("routing_models.version"), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SeatSignIn(Base):
    """An operator signed in at a seat (password login, then the seat's own credential): a change that seat
    pushes may name only such an operator (services/seats.py)."""

    __tablename__ = "seat_sign_ins"

    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed logins per user name or per client address, and the lock-out they earned (services/throttle.py).
    In the database, not in memory: it holds across restarts and across the server's worker processes."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "user:<name>" or "addr:<address>"
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedToken(Base):
    """A refresh token revoked at logout (its `jti`), kept until it would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEvent(Base):
    """Who did what to identities, when, from where: logins, failed logins, logouts, seat registrations, sign-ins,
    credential rotations, seat resets. Never a password, a token or a credential."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(16))  # the account that acted, once known
    username: Mapped[str | None] = mapped_column(String(64))  # the name a login gave (also when unknown)
    seat_id: Mapped[str | None] = mapped_column(String(36))
    address: Mapped[str | None] = mapped_column(String(64))  # the client's network address
    detail: Mapped[str] = mapped_column(String(200), default="")


class SeatBacklog(Base):
    """A seat's latest report of what has not reached the server yet, per operator (services/backlog.py): each
    report replaces the seat's rows; an empty one leaves none."""

    __tablename__ = "seat_backlog"

    seat_id: Mapped[str] = mapped_column(ForeignKey("seats.id"), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    pending: Mapped[int] = mapped_column(Integer)
    oldest_pending_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QualityReview(Base):
    """A case a team lead sampled for quality review (质检) and, once scored, its points per scoresheet item.
    `sheet` is the scoresheet as it was when scored (items, weights, sha256): `total` was computed from it, and a
    later edit of the sheet file never changes either (services/quality.py). One review per case at most."""

    __tablename__ = "quality_reviews"
    __table_args__ = (Index("ix_quality_reviews_operator_id_accepted_at", "operator_id", "accepted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), unique=True)
    operator_id: Mapped[str] = mapped_column(String(16))  # the case's author: whose work is scored
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the case's acceptance time
    sampled_by: Mapped[str] = mapped_column(String(16))
    sampled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    how: Mapped[str] = mapped_column(String(16))  # "random" or the filter the case was sampled by
    status: Mapped[str] = mapped_column(String(8))  # "pending" | "scored"
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # item id -> points
    comment: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[float | None] = mapped_column(Float)
    sheet: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the scoresheet snapshot the total came from
    sheet_sha256: Mapped[str | None] = mapped_column(String(64))
    scored_by: Mapped[str | None] = mapped_column(String(16))
    scored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HotspotGroup(Base):
    """A hot-spot group: cases about one issue at one place (services/hotspot_assign.py). City-wide; `title` and
    `place` carry no personal data."""

    __tablename__ = "hotspot_groups"
    __table_args__ = (Index("ix_hotspot_groups_place_key_last_at", "place_key", "last_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    place_key: Mapped[str] = mapped_column(String(64))
    specific: Mapped[bool] = mapped_column(Boolean)  # a compound or road, not only a district/street
    district: Mapped[str] = mapped_column(String(64))
    street: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(80))
    signature: Mapped[dict[str, int]] = mapped_column(JSON)  # character bigram -> count, the most frequent kept
    size: Mapped[int] = mapped_column(Integer)  # every case ever assigned
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    suggested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # 建议督办 raised
    supervised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    supervised_by: Mapped[str | None] = mapped_column(String(16))
    supervise_reason: Mapped[str | None] = mapped_column(Text)


GROUPED_SQL = "grouped"


class CaseTopic(Base):
    """Which hot-spot group a case joined, with its acceptance time, so a range is one indexed aggregate. Most
    cases stay alone in their group; `grouped` marks those whose group has had two or more, and only they are in
    the range index."""

    __tablename__ = "case_topics"
    __table_args__ = (
        Index("ix_case_topics_grouped_range", "accepted_at", "group_id", postgresql_where=text(GROUPED_SQL),
              sqlite_where=text(GROUPED_SQL)),
        Index("ix_case_topics_group_id_accepted_at", "group_id", "accepted_at"),
        # Same-issue candidates of a place (services/same_issue.py, migration 0017_same_issue).
        Index("ix_case_topics_place_key_accepted_at", "place_key", "accepted_at"),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place_key: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[str] = mapped_column(ForeignKey("hotspot_groups.id"))
    title: Mapped[str] = mapped_column(String(80))  # services/hotspot_text.title_of: no personal data
    grouped: Mapped[bool] = mapped_column(Boolean)


# The columns the KPI query aggregates (services/kpis.py).
KPI_FIGURES = ("accepted_hour", "dispatched", "respond_by", "first_response_at", "finish_by", "completed_at",
               "routing_suggested", "routing_overridden", "handling_seconds", "callback_result")


class CaseKpi(Base):
    """One row per case: the facts the team lead's KPIs (班次看板) aggregate, kept up to date in the transaction
    that appends each event (services/kpi_projection.py), so the KPIs never fold histories at read time."""

    __tablename__ = "case_kpi"
    # Covering on PostgreSQL (INCLUDE): the KPI query reads the index alone, never the table (services/kpis.py).
    __table_args__ = (
        Index("ix_case_kpi_operator_id_accepted_at", "operator_id", "accepted_at",
              postgresql_include=list(KPI_FIGURES)),
        Index("ix_case_kpi_accepted_at", "accepted_at", postgresql_include=["operator_id", *KPI_FIGURES]),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    operator_id: Mapped[str] = mapped_column(String(16))  # the case's created_by
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the seat's recorded_at
    accepted_hour: Mapped[int] = mapped_column(Integer)  # 0..23 on the city's clock
    dispatched: Mapped[bool] = mapped_column(Boolean)  # False: answered on the call (直接办结)
    respond_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finish_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the last extension's, if any
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    routing_suggested: Mapped[bool] = mapped_column(Boolean)
    routing_overridden: Mapped[bool] = mapped_column(Boolean)
    handling_seconds: Mapped[int | None] = mapped_column(Integer)
    callback_result: Mapped[str | None] = mapped_column(String(24))  # the last callback's CallbackResult code


class Callback(Base):
    """A case's return visit (回访): due after 办结, claimed by one operator at a time, done once a result is final.
    A new 办结 (after 重办) makes it due again (services/callbacks.py)."""

    __tablename__ = "callbacks"
    # The queue: pending rows, special-needs citizens first, then the oldest due.
    __table_args__ = (Index("ix_callbacks_queue", "done", "special_needs", "due_at"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    special_needs: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer)  # unreachable attempts in this round
    done: Mapped[bool] = mapped_column(Boolean)
    claimed_by: Mapped[str | None] = mapped_column(String(16))
    claim_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseKpiDepartment(Base):
    """A department a case was dispatched to (lead or cooperating, at creation, correction or 改派), and whether
    that department returned it (退单): the 退单 rate per department."""

    __tablename__ = "case_kpi_departments"
    __table_args__ = (
        Index("ix_case_kpi_departments_accepted_at", "accepted_at", postgresql_include=["department_id", "returned"]),
        Index("ix_case_kpi_departments_operator_id_accepted_at", "operator_id", "accepted_at",
              postgresql_include=["department_id", "returned"]),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    department_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator_id: Mapped[str] = mapped_column(String(16))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    returned: Mapped[bool] = mapped_column(Boolean, default=False)


class CallRecord(Base):
    """One call as the telephony system reports it (POST /api/v1/calls): 接通率 and waiting times."""

    __tablename__ = "call_records"
    __table_args__ = (
        Index("ix_call_records_offered_at", "offered_at", postgresql_include=["abandoned", "wait_seconds"]),
        Index("ix_call_records_operator_id_offered_at", "operator_id", "offered_at",
              postgresql_include=["abandoned", "wait_seconds", "seat_code"]),
        # Calls without an operator (abandoned) at a seat: a team's share of them.
        Index("ix_call_records_seat_code_offered_at", "seat_code", "offered_at",
              postgresql_include=["abandoned", "wait_seconds"], postgresql_where=text("operator_id IS NULL"),
              sqlite_where=text("operator_id IS NULL")),
    )

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the telephony system's id
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    wait_seconds: Mapped[float] = mapped_column(Float)
    abandoned: Mapped[bool] = mapped_column(Boolean)
    seat_code: Mapped[str | None] = mapped_column(String(8))
    operator_id: Mapped[str | None] = mapped_column(String(16))
    caller_masked: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PracticeScenario(Base):
    """A practice scenario (练习场景) as trainers see it in their library: its current version and whether seats get
    it (`status`: "draft" | "published" | "retired"). Its bodies, one per saved version, are in
    practice_scenario_versions: an attempt is scored against the version it was played from."""

    __tablename__ = "practice_scenarios"
    __table_args__ = (Index("ix_practice_scenarios_status", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(16))  # "authored" | "case" | "demo"
    category: Mapped[str] = mapped_column(String(200))  # the key's category path, for the library's filters
    difficulty: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(16))
    updated_by: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PracticeScenarioVersion(Base):
    """One saved version of a scenario: `body` is contract.practice.scenario.Scenario.to_dict()."""

    __tablename__ = "practice_scenario_versions"

    scenario_id: Mapped[str] = mapped_column(ForeignKey("practice_scenarios.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(16))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PracticeAssignment(Base):
    """An exercise (练习) or a timed exam (考试) a trainer gave to trainees: its scenarios in order, an optional time
    limit per scenario that overrides the scenarios' own, and whether routing suggestions are hidden."""

    __tablename__ = "practice_assignments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))  # "exercise" | "exam"
    scenario_ids: Mapped[list[str]] = mapped_column(JSON)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    suggestions_off: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PracticeAssignee(Base):
    """Who must do an assignment. A team given at assignment time is stored as its members then."""

    __tablename__ = "practice_assignees"
    __table_args__ = (Index("ix_practice_assignees_user_id", "user_id"),)

    assignment_id: Mapped[str] = mapped_column(ForeignKey("practice_assignments.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(16), primary_key=True)


class PracticeAttempt(Base):
    """A trainee's handling of one scenario, as the seat sent it (`id` is the seat's, so a resend is the same row)
    and as the server scored it from `answers` with contract.practice.scoring (`score`, `total`): the seat's own
    score is never trusted. Never joined to real cases: `number` is in the practice namespace (练-…)."""

    __tablename__ = "practice_attempts"
    __table_args__ = (
        Index("ix_practice_attempts_user_id_submitted_at", "user_id", "submitted_at"),
        Index("ix_practice_attempts_assignment_id", "assignment_id"),
        Index("ix_practice_attempts_results", "submitted_at", "user_id", "assignment_id", "total", "seconds",
              "skills_scored", "skills_right", "expected_category", "given_category"),
        Index("ix_practice_attempts_unmarked", "id", sqlite_where=text("skills_scored IS NULL"),
              postgresql_where=text("skills_scored IS NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(16))
    seat_id: Mapped[str | None] = mapped_column(String(36))
    scenario_id: Mapped[str] = mapped_column(String(64))
    scenario_version: Mapped[int] = mapped_column(Integer)
    assignment_id: Mapped[str | None] = mapped_column(String(36))
    number: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # the raw form (CaseInput.to_dict())
    cited: Mapped[list[str]] = mapped_column(JSON)  # knowledge-base article ids the answer cited
    score: Mapped[dict[str, Any]] = mapped_column(JSON)  # contract.practice.scoring.Score.to_dict()
    total: Mapped[float] = mapped_column(Float)
    expected_category: Mapped[str] = mapped_column(String(200))  # for the confusion table (category A taken for B)
    given_category: Mapped[str] = mapped_column(String(200))
    # Bit i set: skill SKILLS[i] was scored / was right (services/practice_results.skill_marks; null until set)
    skills_scored: Mapped[int | None] = mapped_column(Integer)
    skills_right: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    over_time: Mapped[bool] = mapped_column(Boolean)
    suggestions_shown: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChannelMessage(Base):
    """A citizen's message from WeChat, the app or the website (网络渠道, POST /api/v1/intake), waiting for an
    operator to claim it and make it a case, or to hand it off to 110/119/120 (services/channel_intake.py)."""

    __tablename__ = "channel_messages"
    __table_args__ = (
        UniqueConstraint("channel", "message_id"),  # a channel re-sending a message gets the first one back
        # The queue: open messages, special needs first, then oldest.
        Index("ix_channel_messages_queue", "status", "special", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str] = mapped_column(String(64))  # the channel's own id
    text: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(30), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    special_needs: Mapped[list[str]] = mapped_column(JSON)
    special: Mapped[bool] = mapped_column(Boolean)  # any special need: sorts first
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # when the channel received it
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12))  # contract.channel_intake.MessageStatus
    claimed_by: Mapped[str | None] = mapped_column(String(16))
    claim_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    case_id: Mapped[str | None] = mapped_column(String(36))
    case_number: Mapped[str | None] = mapped_column(String(32))
    handoff_to: Mapped[str | None] = mapped_column(String(4))
    handoff_note: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
