"""Each new case joins a hot-spot group as it arrives, so a range's hot spots are one indexed aggregate.

`assign_new_cases` is THE hook: called once for the cases a push creates (services/push_batch.py, bulk path;
services/cases.create_case_from_seat, one at a time). A correction that replaces a case's fields (the seat's
`corrected` event) calls `reassign_case` with the case's new row, so the case moves to the group of its new place
and content. A case's place key (services/hotspot_place.py) selects the
candidate groups — same key, a case within `window_days`; the case joins the most similar by content
(services/hotspot_text.py, plus a bonus for the same category) when it reaches the threshold, else it starts a
group of its own. A group reaching `threshold` cases within `days` days is suggested for 督办 by itself.

Two seats pushing the first cases of one new issue at the same instant may start two groups for it; both are
then candidates for later cases, and the later cases join the more similar one.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from central_server.core.config import Settings, resources_dir
from central_server.db.models import CaseTopic, HotspotGroup
from central_server.services.hotspot_config import HotspotConfig, load_hotspot_config
from central_server.services.hotspot_place import Place, place_of
from central_server.services.hotspot_text import add_to_signature, bigrams, cosine, title_of
from contract.city.model import City

log = logging.getLogger(__name__)

# session.info key: the resources folder the app was built with (main.create_app); else the default one.
RESOURCES_KEY = "resources_dir"


@dataclass(frozen=True)
class Topic:
    """What grouping needs of one case."""

    case_id: str
    accepted_at: datetime
    place: Place
    category: str
    words: frozenset[str]
    title: str


def config_for(session: Session) -> HotspotConfig:
    path = session.info.get(RESOURCES_KEY)
    return load_hotspot_config(Path(path) if path else resources_dir(Settings()))


def assign_new_cases(session: Session, cases: Sequence[Mapping[str, Any]], city: City | None) -> None:
    """Put each new case (a `cases` row as a mapping: id, created_at, fields) into a group. Runs in a savepoint:
    a failure here is logged and never refuses the cases themselves (they stay ungrouped)."""
    if not cases:
        return
    try:
        with session.begin_nested():
            config = config_for(session)
            names = admin_names(city)
            assign_topics(session, [topic_of(c, config, names) for c in cases], config)
    except (SQLAlchemyError, ValueError, KeyError, TypeError) as exc:
        log.error("hot-spot grouping failed for %d new case(s): %s", len(cases), type(exc).__name__)


def reassign_case(session: Session, case: Mapping[str, Any], city: City | None) -> None:
    """After a correction replaced the case's fields: leave its group (the group keeps its signature; its size
    drops) and join the group its new fields choose. Same savepoint and failure rule as assign_new_cases."""
    try:
        with session.begin_nested():
            old = session.get(CaseTopic, str(case["id"]))
            if old is not None:
                group = session.get(HotspotGroup, old.group_id)
                if group is not None:
                    group.size = max(0, group.size - 1)
                session.delete(old)
                session.flush()
            config = config_for(session)
            assign_topics(session, [topic_of(case, config, admin_names(city))], config)
    except (SQLAlchemyError, ValueError, KeyError, TypeError) as exc:
        log.error("hot-spot regrouping failed for a corrected case: %s", type(exc).__name__)


def admin_names(city: City | None) -> tuple[str, ...]:
    """District names and aliases and street names of the city, stripped from the start of addresses."""
    if city is None:
        return ()
    names: set[str] = set()
    for d in city.districts.values():
        names.update((d.name, *d.aliases, *d.streets))
    return tuple(sorted(names, key=len, reverse=True))


def topic_of(case: Mapping[str, Any], config: HotspotConfig, names: Iterable[str] = ()) -> Topic:
    fields = case.get("fields") or {}
    text = {k: str(fields.get(k) or "") for k in ("district", "street", "address", "content", "category",
                                                  "caller_name")}
    place = place_of(district=text["district"], street=text["street"], address=text["address"],
                     content=text["content"], admin_names=names)
    drop = (place.label, place.street, *names)
    words = bigrams(text["content"], limit=config.content_chars, drop=drop, stop=config.stop_bigrams)
    return Topic(case_id=str(case["id"]), accepted_at=accepted_at(str(case["created_at"])), place=place,
                 category=text["category"], words=words,
                 title=title_of(text["content"], caller_name=text["caller_name"]))


def accepted_at(value: str) -> datetime:
    """The case's acceptance time (the seat's recorded time of its created event), timezone-aware."""
    at = datetime.fromisoformat(value)
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def assign_topics(session: Session, topics: list[Topic], config: HotspotConfig) -> dict[str, str]:
    """Group the topics (oldest first); returns case id → group id. The caller commits."""
    topics = sorted(topics, key=lambda t: t.accepted_at)
    window = timedelta(days=config.window_days)
    by_key: dict[str, list[HotspotGroup]] = defaultdict(list)
    keys = sorted({t.place.key for t in topics})
    for group in session.scalars(select(HotspotGroup).where(
            HotspotGroup.place_key.in_(keys), HotspotGroup.last_at >= topics[0].accepted_at - window)):
        by_key[group.place_key].append(group)
    chosen: dict[str, str] = {}
    touched: dict[str, HotspotGroup] = {}
    for t in topics:
        best = _best_group(t, by_key[t.place.key], config, window)
        if best is None:
            group = _new_group(t, config)
            session.add(group)
            by_key[t.place.key].append(group)
        else:
            group = best
            group.signature = add_to_signature(group.signature, t.words, config.signature_size)
            group.size += 1
            group.first_at = min(_aware(group.first_at), t.accepted_at)
            group.last_at = max(_aware(group.last_at), t.accepted_at)
        chosen[t.case_id] = group.id
        touched[group.id] = group
    session.flush()
    session.connection().execute(insert(CaseTopic), [
        {"case_id": t.case_id, "accepted_at": t.accepted_at, "place_key": t.place.key,
         "group_id": chosen[t.case_id], "title": t.title, "grouped": touched[chosen[t.case_id]].size >= 2}
        for t in topics])
    # a group that has just got its second case: its first case enters the range index too
    joined = sorted(g.id for g in touched.values() if g.size >= 2)
    if joined:
        session.execute(update(CaseTopic).where(CaseTopic.group_id.in_(joined), CaseTopic.grouped.is_(False))
                        .values(grouped=True))
    _raise_suggestions(session, touched.values(), config)
    return chosen


def _best_group(t: Topic, groups: list[HotspotGroup], config: HotspotConfig, window: timedelta
                ) -> HotspotGroup | None:
    threshold = config.min_similarity if t.place.specific else config.min_similarity_broad
    best, best_score = None, threshold
    for g in groups:
        if _aware(g.last_at) < t.accepted_at - window or _aware(g.first_at) > t.accepted_at + window:
            continue
        if t.place.district and g.district and t.place.district[:64] != g.district:
            continue  # a compound's name recurs across a city (新桥村安置小区): in another district it is another place
        score = cosine(t.words, g.signature)
        if t.category and t.category == g.category:
            score += config.same_category_bonus
        if score >= best_score:
            best, best_score = g, score
    return best


def _new_group(t: Topic, config: HotspotConfig) -> HotspotGroup:
    return HotspotGroup(
        id=str(uuid.uuid4()), place_key=t.place.key, specific=t.place.specific, district=t.place.district[:64],
        street=t.place.street[:64], place=t.place.label[:64], category=t.category[:200], title=t.title[:80],
        signature=add_to_signature({}, t.words, config.signature_size), size=1, first_at=t.accepted_at,
        last_at=t.accepted_at, suggested_at=None, supervised_at=None, supervised_by=None, supervise_reason=None)


def _raise_suggestions(session: Session, groups: Iterable[HotspotGroup], config: HotspotConfig) -> None:
    """建议督办: a group with `threshold` cases within `days` days before its latest case."""
    days = timedelta(days=config.suggest_days)
    pending = {g.id: g for g in groups if g.suggested_at is None and g.size >= config.suggest_threshold}
    if not pending:
        return
    since = min(_aware(g.last_at) for g in pending.values()) - days
    times: dict[str, list[datetime]] = defaultdict(list)
    for group_id, at in session.execute(select(CaseTopic.group_id, CaseTopic.accepted_at).where(
            CaseTopic.group_id.in_(sorted(pending)), CaseTopic.accepted_at >= since)):
        times[group_id].append(_aware(at))
    for group_id, group in pending.items():
        last = _aware(group.last_at)
        if sum(1 for at in times[group_id] if last - days <= at <= last) >= config.suggest_threshold:
            group.suggested_at = last


def _aware(at: datetime) -> datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
