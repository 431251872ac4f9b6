from __future__ import annotations

from sqlalchemy import update

from contract.city.model import City
from operator_app.seat import Seat
from operator_app.services.drafts import clear_draft, load_draft, save_draft
from operator_app.store import schema
from tests.core.helpers import dispatch_form


def test_draft_round_trip_per_operator(seat: Seat, city: City) -> None:
    form = dispatch_form(city, content="半句话还没说完", special_needs=("elderly", "other"), special_needs_other="助听器")
    save_draft(seat.store, operator_id="1001", form=form)
    assert load_draft(seat.store, operator_id="1001") == form
    assert load_draft(seat.store, operator_id="1002") is None
    newer = dispatch_form(city, content="说完了")
    save_draft(seat.store, operator_id="1001", form=newer)
    assert load_draft(seat.store, operator_id="1001") == newer
    clear_draft(seat.store, operator_id="1001")
    assert load_draft(seat.store, operator_id="1001") is None


def test_corrupt_draft_is_ignored_not_fatal(seat: Seat, city: City) -> None:
    save_draft(seat.store, operator_id="1001", form=dispatch_form(city))
    with seat.store.write() as conn:
        conn.execute(update(schema.drafts).values(form_json='{"content": 5'))
    assert load_draft(seat.store, operator_id="1001") is None
