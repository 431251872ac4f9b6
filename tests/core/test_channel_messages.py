"""A claimed channel message as the case form's input: content, contact, channel and special needs carried over;
emoji (which the case refuses) left out and said so; a message without name or phone becomes anonymous, no number."""

from __future__ import annotations

from contract.case_fields import validate_case
from contract.errors import ValidationErrors
from operator_app.services.channel_messages import form_from_message
from tests.core.helpers import dispatch_form


def claimed(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {"id": "x", "channel": "app", "text": "路灯坏了", "contact_name": "王芳",
                               "contact_phone": "13912345678", "special_needs": ["elderly"]}
    return {**body, **changes}


def test_the_message_fills_the_form() -> None:
    made = form_from_message(claimed())
    form = made.form
    assert (form.content, form.caller_name, form.anonymous, form.phone_kind, form.phone, form.channel,
            form.special_needs) == ("路灯坏了", "王芳", False, "number", "13912345678", "app", ("elderly",))
    assert not made.emoji_removed
    bare = form_from_message(claimed(contact_name="", contact_phone="", special_needs=[])).form
    assert (bare.anonymous, bare.phone_kind, bare.phone, bare.special_needs) == (True, "none", "", ())


def test_emoji_are_left_out_so_the_case_can_be_submitted(city) -> None:  # type: ignore[no-untyped-def]
    made = form_from_message(claimed(text="路灯坏了😡😡，晚上好黑🌃", contact_name="王芳🌸"))
    assert made.emoji_removed and made.form.content == "路灯坏了，晚上好黑" and made.form.caller_name == "王芳"
    full = dispatch_form(city, content=made.form.content, caller_name=made.form.caller_name)
    validate_case(full, city)  # raises when anything is refused
    try:
        validate_case(dispatch_form(city, content="路灯坏了😡"), city)
    except ValidationErrors as exc:
        assert [e.field for e in exc.errors] == ["content"]
    else:
        raise AssertionError("the case form accepts emoji: leaving them out would not be needed")
