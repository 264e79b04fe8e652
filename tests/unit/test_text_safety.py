"""Names, tags and texts people see cannot hide characters: NFKC, no zero-width or bidirectional
controls, no control characters; a name of nothing visible is refused."""

from __future__ import annotations

import pytest
from chalicelib.api.schemas.admin_inputs import InviteUserInput
from chalicelib.domain.models import InboundMessage
from chalicelib.domain.search import normalise_tag
from chalicelib.domain.text_safety import clean_label, clean_text
from pydantic import ValidationError


@pytest.mark.parametrize(("raw", "tag"), [
    ("Billing", "billing"),
    ("bil\u200bling", "billing"),
    ("\u202ebilling\u202c", "billing"),
    ("\uff42\uff49\uff4c\uff4c\uff49\uff4e\uff47", "billing"),  # fullwidth letters: NFKC
    ("bill\u00adi\ufeffng", "billing"),
    ("two\u2066  words\u2069", "two words"),
])
def test_tags_that_look_alike_are_one_tag(raw, tag):
    assert normalise_tag(raw) == tag


def test_a_display_name_loses_its_tricks_and_cannot_be_invisible():
    invited = InviteUserInput(email="a@example.com", display_name="Ad\u200bmin \u202eSupport\x07")
    assert invited.display_name == "Admin Support"
    with pytest.raises(ValidationError):
        InviteUserInput(email="a@example.com", display_name="\u200b\u202e\u2066")


def test_customer_names_and_texts_from_providers_are_shown_without_overrides():
    message = InboundMessage.model_validate({
        "channel": "whatsapp", "account_id": "wa", "provider_message_id": "m1", "customer_id": "+31612345678",
        "customer_name": "Ann\u202e nimda", "sent_at": "2024-01-01T00:00:00Z", "kind": "text",
        "text": "line one\nline\u0000 two\u202e\u200b\twith a tab"})
    assert message.customer_name == "Ann nimda"
    assert message.text == "line one\nline two\twith a tab"


def test_right_to_left_text_itself_is_kept():
    assert clean_text("שלום עולם") == "שלום עולם"
    assert clean_label("مرحبا") == "مرحبا"
