"""Messages citizens write through WeChat, the app and the website (网络渠道), as the seat and the server share them:
the limits the server checks, the 110/119/120 hand-off targets, and the key a created case carries to name the
message it was made from."""

from __future__ import annotations

from contract.case_fields import MAX_LEN
from contract.enums import Channel

# The channels that post messages (POST /api/v1/intake); the telephone has its own path (the screen pop).
MESSAGE_CHANNELS: tuple[str, ...] = (Channel.WECHAT.value, Channel.APP.value, Channel.WEB.value)
MAX_TEXT_CHARS = MAX_LEN["content"]  # it becomes the case form's content
MAX_MESSAGE_ID_CHARS = 64
MAX_CONTACT_NAME_CHARS = MAX_LEN["caller_name"]
MAX_NOTE_CHARS = 500

# Emergencies go to 110 (police), 119 (fire) or 120 (ambulance): the message is closed as handed off.
HANDOFF_TARGETS: dict[str, str] = {"110": "110 报警", "119": "119 火警", "120": "120 急救"}

# The key in a created case's payload naming the channel message it was made from (the server links the two).
INTAKE_ID_KEY = "intake_id"


class MessageStatus:
    """A message's state on the server; a claim past its time counts as waiting again."""

    WAITING = "waiting"
    CLAIMED = "claimed"
    CASE = "case"  # became a case: `case_number` is set
    HANDED_OFF = "handed_off"  # closed as an emergency hand-off (110/119/120)
