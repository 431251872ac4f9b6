"""Names on the wire that the seat's core needs without the protocol's pydantic models (a desk start imports
these, not pydantic): mutation names a seat pushes, with their args shapes, and entity names a pull returns."""

from __future__ import annotations

# Mutation names a seat may push. args shapes are documented beside each.
CASE_CREATED = "case.created"  # {case_id, seat_code, event: {id, seq, kind: "created", payload, recorded_at}}
CASE_EVENT = "case.event"  # {case_id, event: {id, seq, kind, payload, recorded_at}} — later seat-side events
KB_FEEDBACK = "kb.feedback"  # {feedback_id, article_id, version, verdict: helpful|outdated|wrong, comment}
# What a citizen did about ANY open case, recorded at a seat (not only about the seat's own cases); entity_id is
# the case number. {case_number, event: {id, kind: repeat_call|urged, payload, recorded_at}}; the shape is
# checked by contract/case_contact.py on both sides.
CASE_CONTACT = "case.contact"
MUTATION_NAMES = (CASE_CREATED, CASE_EVENT, KB_FEEDBACK, CASE_CONTACT)
KB_VERDICTS = ("helpful", "outdated", "wrong")

# Entities a pull returns.
ENTITY_CASE_EVENT = "case_event"  # data: {case_id, number, event: {id, seq, kind, payload, operator_id, recorded_at}}
# For every seat. upsert data: {id, title, body, category, departments, keywords, effective_from, expires_at,
# version, owner, updated_at, vector?} (times: ISO text without zone, city time, or null; `vector`, present when the
# server has embedded this version: {encoder, dim, data: base64}, semantic/codec.VectorRecord; an upsert of a version
# the seat already has may come again to bring it); delete (the article was retired) data: {id, version}.
# Change.version is the article's version.
ENTITY_KB_ARTICLE = "kb_article"
