"""Cases: creation from a seat's "case.created" mutation, the events a seat adds to its cases ("case.event": the
operator's correction of a case sent back), and the case lists people read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseEvent, CaseKpi, CaseKpiDepartment, Seat
from central_server.services import channel_intake, kpi_projection
from central_server.services.case_args import (
    ArgsProblem,
    CaseCreatedArgs,
    FieldsProblem,
    parse_case_event,
    parse_corrected,
    parse_created,
)
from central_server.services.changes import next_change_id, stamped_at_commit
from central_server.services.hotspot_assign import assign_new_cases, reassign_case
from central_server.services.practice_guard import (
    PRACTICE_NUMBER,
    practice_number_in,
    practice_rejection_reason,
)
from contract.case_fields import ValidCase
from contract.case_number import CASE_NUMBER
from contract.city.model import City
from contract.enums import CaseStatus
from contract.events import CORRECTED, CREATED, CaseState, apply_event
from contract.events import CaseEvent as ContractEvent

# Stable codes of a rejected mutation (MutationResult.code), for programs; `reason` is for the operator.
INVALID_ARGS = "invalid_args"  # not shaped as a seat makes it
INVALID_FIELD = "invalid_field"  # the case's fields fail the form's validation
NOT_THIS_SEAT = "not_this_seat"  # a case number another seat issued
CONFLICT = "conflict"  # a case id, number or event id already on the server
UNKNOWN_MUTATION = "unknown_mutation"
OPERATOR_NOT_ALLOWED = "operator_not_allowed"  # the author is unknown, disabled or may not take calls
OPERATOR_NOT_SIGNED_IN = "operator_not_signed_in"  # the author never signed in at the pushing seat
MUTATION_REUSED = "mutation_reused"  # a mutation_id received before under another seq or seat
CASE_NOT_FOUND = "case_not_found"  # a case.event for a case the server does not hold
NOT_CORRECTING = "not_correcting"  # a correction of a case that is not sent back for correction (退回修改)
UNKNOWN_EVENT_KIND = "unknown_event_kind"  # a case.event of a kind seats may not make
# PRACTICE_NUMBER ("practice_number"): a practice case (练-…) pushed as a real one (services/practice_guard.py)


class Rejected(Exception):
    """A mutation the server will not apply; `reason` (Chinese) is shown to a person at the seat."""

    def __init__(self, reason: str, code: str = INVALID_ARGS) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def not_an_intake_operator(operator_id: str) -> Rejected:
    return Rejected(f"受理人工号 {operator_id} 不是中心登记的在岗话务员或班组长（未知、已停用或无受理权限），"
                    "中心未接受这条变更。请由本人登录后重新受理，或联系系统管理员。", OPERATOR_NOT_ALLOWED)


def not_signed_in_here(operator_id: str) -> Rejected:
    return Rejected(f"话务员 {operator_id} 未在本座席登录过：本座席提交的更改只能署名在本座席登录过的话务员。"
                    "请由本人在本座席登录后重新受理，或联系系统管理员。", OPERATOR_NOT_SIGNED_IN)


@dataclass(frozen=True)
class CaseSummary:
    id: str
    number: str
    status: str
    created_by: str
    created_at: str
    respond_by: str
    finish_by: str
    category: str
    district: str
    lead_department: str


@dataclass(frozen=True)
class NewCase:
    """The rows one valid "case.created" becomes; the caller sets `event["change_id"]` (None on PostgreSQL:
    stamped at commit)."""

    case: dict[str, Any]
    event: dict[str, Any]
    # The KPI projection's rows (services/kpi_projection.py), written with the case.
    kpi: dict[str, Any] = field(default_factory=dict)
    kpi_departments: list[dict[str, Any]] = field(default_factory=list)


def plan_case_from_seat(*, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any],
                        received_at: datetime, city: City) -> NewCase:
    """Check a "case.created" as the seat's form would and build its rows (no database access); raises Rejected."""
    _refuse_practice(args)
    case = _case_words(args)
    try:
        parsed, valid = parse_created(args, city)
    except FieldsProblem as exc:
        raise Rejected(f"{case}未被中心接受：{'；'.join(exc.problems)}。请在“被退回的变更”中修改后重新提交。",
                       INVALID_FIELD) from exc
    except ArgsProblem as exc:
        raise Rejected(f"{case}的数据格式不正确（{exc.where}），中心未接受。请升级本席位程序或联系系统管理员。"
                       ) from exc
    payload = parsed.event.payload
    if parsed.case_id != entity_id:
        raise Rejected(f"{case}的变更标识与工单标识不一致，中心未接受。请联系系统管理员。")
    if parsed.seat_code != seat.seat_code or not payload.number.startswith(seat.seat_code + "-"):
        raise Rejected(f"工单号 {payload.number} 不是本席位（{seat.seat_code}）发出的，中心未接受。"
                       "请联系系统管理员核对席位编号。", NOT_THIS_SEAT)
    new = _rows(parsed, valid, args, seat=seat, operator_id=operator_id, received_at=received_at)
    # KPI projection (services/kpi_projection.py)
    kpi, departments = kpi_projection.created_rows(new.case, new.event["payload"], ZoneInfo(city.timezone))
    return replace(new, kpi=kpi, kpi_departments=departments)


def _refuse_practice(args: dict[str, Any]) -> None:
    """Checked before the shape: a practice number would fail it too, but the seat must learn why."""
    if (number := practice_number_in(args)) is not None:
        raise Rejected(practice_rejection_reason(number), PRACTICE_NUMBER)


def _case_words(args: dict[str, Any]) -> str:
    """'工单 S001-20260301-0001 ' for a message when the args hold a plausible number, else '工单'."""
    try:
        number = args["event"]["payload"]["number"]
    except (KeyError, TypeError):
        return "工单"
    return f"工单 {number} " if isinstance(number, str) and CASE_NUMBER.match(number) else "工单"


def _rows(parsed: CaseCreatedArgs, valid: ValidCase, args: dict[str, Any], *, seat: Seat, operator_id: str,
          received_at: datetime) -> NewCase:
    """The server's case row and created-event row: the one place they are built."""
    payload = args["event"]["payload"]  # stored as sent (checked): newer seats may add keys
    state = apply_event(None, ContractEvent(
        id=parsed.event.id, case_id=parsed.case_id, seq=1, kind=CREATED, payload=payload,
        operator_id=operator_id, recorded_at=parsed.event.recorded_at))
    case = {
        "id": parsed.case_id, "number": state.number, "seat_id": seat.id, "created_by": operator_id,
        "status": state.status, "fields": state.fields, "lead_department": valid.lead_department,
        "respond_by": state.respond_by, "finish_by": state.finish_by, "created_at": state.created_at,
        "received_at": received_at, "last_event_seq": 1,
    }
    event = {
        "id": parsed.event.id, "case_id": parsed.case_id, "seq": 1, "kind": CREATED,
        "payload": payload, "operator_id": operator_id, "recorded_at": parsed.event.recorded_at,
        "seat_id": seat.id, "change_id": 0,
    }
    return NewCase(case, event)


def conflict_reason(number: str) -> str:
    return f"工单 {number} 与中心已有的工单重复（工单标识、工单号或事件标识相同），中心未接受。请联系系统管理员。"


def create_case_from_seat(
    session: Session, *, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any], city: City
) -> Case:
    """Insert the case and its created event (inside the caller's savepoint); raises Rejected."""
    new = plan_case_from_seat(seat=seat, operator_id=operator_id, entity_id=entity_id, args=args,
                              received_at=datetime.now(UTC), city=city)
    case, event = Case(**new.case), CaseEvent(**new.event)
    try:
        session.add(case)
        session.flush()
        event.change_id = None if stamped_at_commit(session) else next_change_id(session)
        session.add(event)
        session.add(CaseKpi(**new.kpi))  # KPI projection (services/kpi_projection.py)
        session.add_all(CaseKpiDepartment(**d) for d in new.kpi_departments)
        session.flush()
    except IntegrityError as exc:
        raise Rejected(conflict_reason(new.case["number"]), CONFLICT) from exc
    assign_new_cases(session, [new.case], city)  # hot spots (also in push_batch's bulk path)
    channel_intake.link_cases(session, [(new.case, new.event["payload"])])  # 网络渠道 (also in push_batch)
    return case


def apply_case_event(session: Session, *, seat: Seat, operator_id: str, entity_id: str, args: dict[str, Any],
                     city: City) -> CaseEvent:
    """Append an event a seat made on one of its cases (inside the caller's savepoint); raises Rejected.

    Only "corrected" is taken: the case must be this seat's and sent back for correction, and the fields pass
    the form's validation as a created case's do. The event keeps the seat's id and goes after the server's last
    event (the seat takes that place from the pull); the case row is updated through apply_event."""
    _refuse_practice(args)
    try:
        parsed = parse_case_event(args)
    except ArgsProblem as exc:
        raise Rejected(f"工单事件的数据格式不正确（{exc.where}），中心未接受。请升级本席位程序或联系系统管理员。"
                       ) from exc
    if parsed.case_id != entity_id:
        raise Rejected("工单事件的变更标识与工单标识不一致，中心未接受。请联系系统管理员。")
    event = parsed.event
    if event.kind != CORRECTED:
        raise Rejected(f"中心不接受席位提交“{event.kind[:32]}”类型的工单事件，请升级本席位程序或联系系统管理员。",
                       UNKNOWN_EVENT_KIND)
    case = session.scalars(select(Case).where(Case.id == parsed.case_id).with_for_update()).one_or_none()
    if case is None or case.seat_id != seat.id:
        # Another seat's case is answered like a missing one: a seat learns nothing of cases it does not hold.
        raise Rejected("中心没有本座席的这件工单，更正未被接受。请联系系统管理员。",
                       CASE_NOT_FOUND)
    if case.status != CaseStatus.CORRECTING.value:
        raise Rejected(f"工单 {case.number} 当前不是“退回修改”状态（可能已被班组长改派或处理），更正未被接受。"
                       "请在“我的工单”中查看该工单的最新状态。", NOT_CORRECTING)
    try:
        _, valid = parse_corrected(event.payload, city)
    except FieldsProblem as exc:
        raise Rejected(f"工单 {case.number} 的更正未被中心接受：{'；'.join(exc.problems)}。", INVALID_FIELD) from exc
    except ArgsProblem as exc:
        raise Rejected(f"工单 {case.number} 的更正数据格式不正确（{exc.where}），中心未接受。"
                       "请升级本席位程序或联系系统管理员。") from exc
    if session.get(CaseEvent, event.id) is not None:
        raise Rejected(conflict_reason(case.number), CONFLICT)
    state = apply_event(_state_of(case), ContractEvent(
        id=event.id, case_id=case.id, seq=case.last_event_seq + 1, kind=CORRECTED, payload=event.payload,
        operator_id=operator_id, recorded_at=event.recorded_at))
    case.last_event_seq += 1
    case.status, case.fields, case.lead_department = state.status, state.fields, valid.lead_department
    row = CaseEvent(id=event.id, case_id=case.id, seq=case.last_event_seq, kind=CORRECTED, payload=event.payload,
                    operator_id=operator_id, recorded_at=event.recorded_at, seat_id=case.seat_id,
                    change_id=None if stamped_at_commit(session) else next_change_id(session))
    try:
        session.add(row)
        session.flush()
    except IntegrityError as exc:
        raise Rejected(conflict_reason(case.number), CONFLICT) from exc
    kpi_projection.on_event(session, case, row)  # as append_event does for the server's own events
    reassign_case(session, {"id": case.id, "fields": case.fields, "created_at": case.created_at}, city)  # hot spots
    return row


def _state_of(case: Case) -> CaseState:
    return CaseState(id=case.id, number=case.number, status=case.status, fields=dict(case.fields or {}),
                     respond_by=case.respond_by, finish_by=case.finish_by, created_at=case.created_at,
                     created_by=case.created_by)


def cases_of_operator(session: Session, *, operator_id: str, limit: int, offset: int) -> list[CaseSummary]:
    """That operator's cases, newest received first."""
    rows = session.scalars(
        select(Case).where(Case.created_by == operator_id)
        .order_by(Case.received_at.desc(), Case.number.desc()).limit(limit).offset(offset)
    )
    return [summarize(c) for c in rows]


def summarize(case: Case) -> CaseSummary:
    """A case without the caller's name or phone."""
    fields = case.fields or {}
    return CaseSummary(
        id=case.id, number=case.number, status=case.status, created_by=case.created_by,
        created_at=case.created_at, respond_by=case.respond_by, finish_by=case.finish_by,
        category=str(fields.get("category", "")), district=str(fields.get("district", "")),
        lead_department=case.lead_department,
    )
