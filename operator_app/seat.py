"""Everything a seat needs at run time: the city configuration and the local store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from contract.city.loader import load_city
from contract.city.model import City
from operator_app.paths import data_dir as resolve_data_dir
from operator_app.paths import resources_dir
from operator_app.store.database import Store

SEAT_CODE_ENV = "OPERATOR_APP_SEAT_CODE"


@dataclass
class Seat:
    city: City
    store: Store
    data_dir: Path

    def close(self) -> None:
        self.store.close()


def open_seat(data_dir: str | os.PathLike[str] | None = None, *, seat_code: str | None = None) -> Seat:
    """Load the city and open (or create) the store; the seat code matters only when the store is new."""
    city = load_city(resources_dir())
    folder = resolve_data_dir(data_dir)
    code = seat_code or os.environ.get(SEAT_CODE_ENV) or city.default_seat_code
    return Seat(city, Store.open(folder, seat_code=code), folder)
