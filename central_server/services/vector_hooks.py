"""What happens once cases have their sentence vectors (services/vector_worker.py calls it after each batch)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from central_server.core.city import CityConfigError, load_city_facts
from central_server.core.config import Settings, resources_dir
from central_server.services.hotspot_assign import RESOURCES_KEY, admin_names
from central_server.services.hotspot_meaning import regroup_by_meaning


def cases_embedded(session: Session, case_ids: Sequence[str]) -> None:
    """Called inside the worker's session after the vectors of `case_ids` were committed: their hot-spot groups
    are chosen again by meaning, and committed. A failure there is logged and changes nothing."""
    if not case_ids:
        return
    path = session.info.get(RESOURCES_KEY)
    regroup_by_meaning(session, case_ids, _names(str(path) if path else str(resources_dir(Settings()))))
    session.commit()


@lru_cache(maxsize=4)
def _names(resources: str) -> tuple[str, ...]:
    """The city's district and street names (stripped from addresses as on arrival); none if its files are broken
    (then the place keys stored on arrival still select the groups)."""
    try:
        return admin_names(load_city_facts(Path(resources)).city)
    except (CityConfigError, OSError):  # reported where the server starts; grouping goes on without names
        return ()
