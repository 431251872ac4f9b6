"""Case vectors written as the server's background worker writes them (services/vector_worker.py): the passage
vector of the case's content (semantic.case_passage), packed, with the encoder's id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from central_server.db.engine import make_engine, session_factory
from central_server.db.models import Case, CaseVector
from semantic import Encoder, case_passage, pack


def embed(database_url: str, encoder: Encoder, numbers: list[str]) -> list[str]:
    """Give those cases their vectors (replacing any); returns their ids in the same order."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            cases = {c.number: c for c in session.scalars(select(Case).where(Case.number.in_(numbers)))}
            ordered = [cases[n] for n in numbers]
            vectors = encoder.passages([case_passage(str((c.fields or {}).get("content", ""))) for c in ordered])
            for case, vector in zip(ordered, vectors, strict=True):
                session.merge(CaseVector(case_id=case.id, encoder=encoder.id, dim=encoder.dim, data=pack(vector),
                                         created_at=datetime.now(UTC)))
            session.commit()
            return [c.id for c in ordered]
    finally:
        engine.dispose()
