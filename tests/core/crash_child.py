"""Child process for the crash-safety test: saves drafts and submits cases until it is killed.

Prints READY, then for each case: DRAFT <i> after the draft is durably saved, CASE <i> <number> <case_id> after
submit_case returned. Usage: python -m tests.core.crash_child DATA_DIR FIRST_INDEX
"""

from __future__ import annotations

import sys

from operator_app.seat import open_seat
from operator_app.services.drafts import save_draft
from operator_app.services.intake import submit_case
from tests.core.helpers import direct_form, dispatch_form


def content(i: int) -> str:
    return f"第{i}号测试诉求：小区噪音扰民，" + "夜间施工" * (i % 40)


def main(data_dir: str, first: int) -> None:
    seat = open_seat(data_dir)
    city = seat.city
    print("READY", flush=True)
    i = first
    while True:
        make = dispatch_form if i % 3 else direct_form
        form = make(city, content=content(i))
        save_draft(seat.store, operator_id="1001", form=form)
        print(f"DRAFT {i}", flush=True)
        result = submit_case(seat.store, city, form=form, operator_id="1001")
        print(f"CASE {i} {result.number} {result.case_id}", flush=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
