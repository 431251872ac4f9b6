"""Hot spots by meaning: once cases have their sentence vectors, each one's group is chosen again.

A case joins a group by its words the moment it arrives (hotspot_assign.assign_new_cases: the immediate answer);
its vector is made seconds later by the server's worker, which then calls `regroup_by_meaning` through
services/vector_hooks.py. Among the groups of its place key and window (the same rules as on arrival), the case
goes to the one whose similarity is highest and reaches the threshold, the similarity now being the blend of the
bigram cosine and the mean cosine of its vector with those of the group's other cases
(hotspot_text.blend; a group none of whose cases has a vector yet is compared by words). No group reaching it: the
case leaves for a group of its own. Its current group is compared without the case itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from central_server.db.models import Case, CaseTopic, HotspotGroup
from central_server.services.case_meaning import IN_CHUNK, calibrated, vectors_of
from central_server.services.hotspot_assign import (
    Topic,
    _aware,
    _new_group,
    _raise_suggestions,
    config_for,
    topic_of,
)
from central_server.services.hotspot_config import HotspotConfig
from central_server.services.hotspot_text import add_to_signature, blend, cosine

log = logging.getLogger(__name__)

MEMBERS_READ = 30  # a group's newest cases compared: a big group's meaning is settled by then


def regroup_by_meaning(session: Session, case_ids: Sequence[str], names: tuple[str, ...]) -> int:
    """Choose again the group of each of these cases that has a vector (oldest first); returns how many moved.
    Runs in a savepoint: a failure is logged and leaves the groups as they were."""
    if not case_ids:
        return 0
    try:
        with session.begin_nested():
            config = config_for(session)
            vectors = vectors_of(session, case_ids)
            rows = session.execute(select(Case.id, Case.created_at, Case.fields, CaseTopic)
                                   .join(CaseTopic, CaseTopic.case_id == Case.id)
                                   .where(Case.id.in_(sorted(vectors)))).all()
            moved = 0
            for case_id, created_at, fields, current in sorted(rows, key=lambda r: _aware(r[3].accepted_at)):
                topic = topic_of({"id": case_id, "created_at": created_at, "fields": fields or {}}, config, names)
                moved += _regroup(session, topic, vectors[case_id], current, config)
            return moved
    except (SQLAlchemyError, ValueError, KeyError, TypeError) as exc:
        log.error("hot-spot regrouping by meaning failed for %d case(s): %s", len(case_ids), type(exc).__name__)
        return 0


def _regroup(session: Session, t: Topic, vector: np.ndarray, current: CaseTopic, config: HotspotConfig) -> int:
    window = timedelta(days=config.window_days)
    at = _aware(current.accepted_at)
    groups = list(session.scalars(select(HotspotGroup).where(
        HotspotGroup.place_key == current.place_key, HotspotGroup.last_at >= at - window)))
    threshold = config.min_similarity if t.place.specific else config.min_similarity_broad
    groups = [g for g in groups if _aware(g.first_at) <= at + window
              and not (t.place.district and g.district and t.place.district[:64] != g.district)]
    meanings = _meanings(session, [g.id for g in groups], t.case_id, at - window, vector, config)
    best: HotspotGroup | None = None
    best_score = threshold
    for g in groups:
        signature = g.signature if g.id != current.group_id else _without(g.signature, t.words)
        score = blend(cosine(t.words, signature), meanings.get(g.id), config)
        if t.category and t.category == g.category:
            score += config.same_category_bonus
        if score > best_score or (score == best_score and g.id == current.group_id):
            best, best_score = g, score
    old = session.get(HotspotGroup, current.group_id)
    if best is not None and best.id == current.group_id:
        return 0
    if best is None and (old is None or old.size <= 1):
        return 0  # alone already
    _leave(session, old, t, current)
    if best is None:
        target = _new_group(t, config)
        session.add(target)
        session.flush()  # the group row before the case's row points at it (no relationship orders the two)
    else:
        target = best
        target.signature = add_to_signature(target.signature, t.words, config.signature_size)
        target.size += 1
        target.first_at = min(_aware(target.first_at), at)
        target.last_at = max(_aware(target.last_at), at)
    current.group_id = target.id
    current.grouped = target.size >= 2
    session.flush()
    if target.size >= 2:
        session.execute(update(CaseTopic).where(CaseTopic.group_id == target.id, CaseTopic.grouped.is_(False))
                        .values(grouped=True))
    _raise_suggestions(session, [target], config)
    return 1


def _meanings(session: Session, group_ids: list[str], case_id: str, since: datetime, vector: np.ndarray,
              config: HotspotConfig) -> dict[str, float]:
    """Group id → the calibrated mean cosine of the case's vector with those of the group's newest other cases
    within the window (the mean of the cosines: a cosine with the group's normalised mean vector would rise with
    its size); groups none of whose cases has a vector yet are absent. Two reads for all the groups of the place."""
    members: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(group_ids), IN_CHUNK):
        for group_id, member in session.execute(
                select(CaseTopic.group_id, CaseTopic.case_id).where(
                    CaseTopic.group_id.in_(group_ids[start:start + IN_CHUNK]), CaseTopic.case_id != case_id,
                    CaseTopic.accepted_at >= since)
                .order_by(CaseTopic.accepted_at.desc())):
            if len(members[group_id]) < MEMBERS_READ:
                members[group_id].append(member)
    stored = vectors_of(session, [m for ids in members.values() for m in ids])
    out: dict[str, float] = {}
    for group_id, ids in members.items():
        found = [stored[m] for m in ids if m in stored]
        if found:
            mean = float(np.mean(np.stack(found) @ vector))
            out[group_id] = calibrated(mean, config.group_cosine_floor, config.group_cosine_full)
    return out


def _without(signature: dict[str, int], words: frozenset[str]) -> dict[str, int]:
    """The group's signature with one case's bigrams taken out (the case compared with its own group)."""
    out = dict(signature)
    for w in words:
        if w in out:
            out[w] -= 1
            if out[w] <= 0:
                del out[w]
    return out


def _leave(session: Session, old: HotspotGroup | None, t: Topic, current: CaseTopic) -> None:
    """The case leaves its group: size and signature without it; a title that was its own becomes that of the
    group's oldest remaining case."""
    if old is None:
        return
    old.size = max(0, old.size - 1)
    old.signature = _without(old.signature, t.words)
    if old.title == current.title:
        oldest = session.scalars(select(CaseTopic.title).where(
            CaseTopic.group_id == old.id, CaseTopic.case_id != current.case_id)
            .order_by(CaseTopic.accepted_at).limit(1)).first()
        if oldest:
            old.title = oldest
