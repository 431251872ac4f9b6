"""The audit log: who signed in, failed to, logged out, registered a seat, rotated or reset its credential — when,
from which address, at which seat. Rows are added to the caller's transaction; never a password or a token."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from central_server.db.models import AuditEvent

log = logging.getLogger(__name__)

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"
LOGOUT = "logout"
SIGN_IN = "sign_in"  # an operator signed in at a seat (the seat's credential and the operator's token)
SEAT_REGISTERED = "seat_registered"
SEAT_ROTATED = "seat_credential_rotated"
SEAT_TAKEN = "seat_register_refused"  # someone without the seat's credential tried to register it again
SEAT_RESET = "seat_reset"

# A name a login gave is kept only when it looks like a user name: a password typed into the name field by
# mistake must not land in the log (user names are 1-16 letters, digits, '_', '.' or '-').
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")


def record(session: Session, kind: str, *, user_id: str | None = None, username: str | None = None,
           seat_id: str | None = None, address: str | None = None, detail: str = "", private_detail: str = ""
           ) -> None:
    """Add one row to the session (the caller commits); also a log line without the name a failed login gave.
    `private_detail` (a person's own words, such as the reason for revealing a phone) goes to the row only, never
    to the log: it may hold personal data."""
    shown = username if username is not None and _NAME.match(username) else None
    if username is not None and shown is None:
        detail = (detail + " (the name given is not a user name)").strip()
    session.add(AuditEvent(at=datetime.now(UTC), kind=kind, user_id=user_id, username=shown, seat_id=seat_id,
                           address=(address or None) and address[:64],
                           detail=" ".join(filter(None, (detail, private_detail)))[:200]))
    log.info("audit %s user=%s seat=%s address=%s %s", kind, user_id or "-", seat_id or "-", address or "-", detail)
