"""Pure rules of customers: addresses, search terms and operators, custom attributes, merge
planning, and consent keywords."""

from datetime import UTC, datetime

import pytest
from chalicelib.domain.consent import ConsentKeywords, ConsentState, OptedOut, keyword_intent, refuse_if_opted_out
from chalicelib.domain.customer_search import (
    FRAGMENT_LENGTH,
    LEADING_STARTS,
    MAX_FRAGMENTS_PER_VALUE,
    TRAILING,
    FragmentLayout,
    Probe,
    found_first,
    fragments,
)
from chalicelib.domain.customers import (
    Address,
    AddressKind,
    AttributeDefinition,
    AttributeType,
    CustomerProfile,
    address_for,
    apply_attributes,
    check_definition,
    fold,
    merge_actions,
    merged_profile_fields,
    parse_address,
    parse_search,
)
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Channel
from chalicelib.storage.customer_items import CommunicationItem, CustomerAddressItem, CustomerConversationItem
from chalicelib.storage.customer_merge import SourceItems, chunks

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


# --- addresses -------------------------------------------------------------------------------


def test_a_phone_number_is_one_address_for_whatsapp_and_sms():
    # Given the same number on WhatsApp and by SMS (stored in E.164 by routing)
    whatsapp = address_for(Channel.WHATSAPP, "+31612345678", account_id="wa-demo")
    sms = address_for(Channel.SMS, "+31612345678", account_id="sms-demo")
    # Then it is one address, reaching the customer on both channels, searched as a phone
    assert whatsapp == sms
    assert str(whatsapp) == "phone:+31612345678"
    assert whatsapp.channels == (Channel.WHATSAPP, Channel.SMS)
    assert whatsapp.search_field == "phone"


def test_other_addresses_are_per_channel_and_emails_case_folded():
    assert str(address_for(Channel.EMAIL, " Ann@Example.COM ", account_id="mail")) == "email:ann@example.com"
    assert address_for(Channel.TELEGRAM, "12345", account_id="tg").search_field == "channel_id"
    assert address_for(Channel.VIBER, "01234567890A=", account_id="vb").channels == (Channel.VIBER,)
    # A messaging app's user id is the same customer on every account of that app
    assert address_for(Channel.TELEGRAM, "12345", account_id="tg") == address_for(Channel.TELEGRAM, "12345",
                                                                                   account_id="tg-2")


def test_an_api_customer_id_is_an_address_of_its_account_only():
    # Given two integrators (two API channel accounts) that both number a customer 42
    shop, bank = address_for(Channel.API, "42", account_id="shop"), address_for(Channel.API, "42", account_id="bank")
    # Then they are two addresses, both found by searching the integrator's id
    assert shop != bank
    assert str(shop) == "api:shop/42"
    assert (shop.search_field, shop.search_text, bank.search_text) == ("channel_id", "42", "42")
    # And an address written before the namespacing still reads, and searches by its whole value
    legacy = parse_address("api:42")
    assert (legacy.value, legacy.search_text) == ("42", "42")
    assert parse_address("api:shop/42") == shop


def test_parse_address_normalises_and_refuses_what_is_not_one():
    assert parse_address("phone:0031 6 12345678") == Address(kind=AddressKind.PHONE, value="+31612345678")
    assert parse_address("email:Ann@Example.com").value == "ann@example.com"
    for text in ("fax:123", "telegram:", "email:not-an-email", "phone:12"):
        with pytest.raises(InvalidInput):
            parse_address(text)


# --- search ----------------------------------------------------------------------------------


def test_names_fold_case_accents_and_spaces():
    assert fold("  Ánna   MARÍA ") == "anna maria"


@pytest.mark.parametrize(("field", "raw", "value", "prefix"), [
    ("name", "Maria", "maria", False),
    ("name", "Ma%", "ma", True),
    ("phone", "0031 6-1234 5678", "+31612345678", False),
    ("phone", "+31 61%", "+3161", True),
    ("phone", "0031%", "+31", True),
    ("email", "ANN@example.com", "ann@example.com", False),
    ("channel_id", "01234567890A=", "01234567890a=", False),
])
def test_exact_is_the_default_and_a_trailing_percent_searches_by_prefix(field, raw, value, prefix):
    term = parse_search(field, raw)
    assert (term.value, term.prefix) == (value, prefix)


@pytest.mark.parametrize(("field", "raw", "parts", "open_start", "open_end"), [
    ("name", "%ria", ("ria",), True, False),
    ("name", "%ARÍ%", ("ari",), True, True),
    ("name", "M%a%ia", ("m", "a", "ia"), False, False),
    ("name", "%de %", ("de ",), True, True),
    ("name", "  %van  der%  ", ("van der",), True, True),
    ("phone", "%6-1234 5678", ("612345678",), True, False),
    ("phone", "0031 6%78", ("+316", "78"), False, False),
    ("email", "%@Example.COM", ("@example.com",), True, False),
])
def test_a_percent_anywhere_else_is_the_like_operator(field, raw, parts, open_start, open_end):
    term = parse_search(field, raw)
    assert term.like is not None
    assert (term.like.parts, term.like.open_start, term.like.open_end) == (parts, open_start, open_end)


@pytest.mark.parametrize(("raw", "value", "matches"), [
    ("%ria", "maria", True), ("%ria", "rian", False), ("%ari%", "maria", True), ("%ari%", "mira", False),
    ("M%a%ia", "maria", True), ("M%a%ia", "mia", False), ("m%ia", "mia", True), ("%an%de%", "anne de vries", True),
    ("%an%de%", "de anne", False),
])
def test_a_like_pattern_matches_the_whole_value(raw, value, matches):
    term = parse_search("name", raw)
    assert term.like is not None
    assert term.like.matches(value) is matches


@pytest.mark.parametrize(("raw", "fragment", "whole"), [
    ("%ria", "ria", True),        # an anchored end: the fragment that is exactly it
    ("%ari%", "ari", False),      # contains: fragments that begin with it
    ("M%a%ia", "ia", True),       # the end is as long as the longest part
    ("%maria%z", "maria", False),  # a longer part beats a one-letter end
    ("%ab%z", "ab", False),       # a one-letter end cannot lose its first letter
    ("%" + "x" * 40 + "%", "x" * FRAGMENT_LENGTH, False),  # a long part by its first characters
])
def test_the_probes_are_the_most_selective_lookup_and_it_less_its_first_letter(raw, fragment, whole):
    term = parse_search("name", raw)
    assert term.like is not None
    assert term.like.probes() == (Probe(fragment=fragment, whole=whole),
                                  Probe(fragment=fragment[1:], whole=whole))


@pytest.mark.parametrize("value", ["maria", "marias", "jan de vries", "+31612345678", "x" * 70 + "@example.com"])
def test_every_part_of_a_value_is_found_by_one_lookup_exactly_once(value):
    # Given the fragments a value is written with (every other suffix)
    written = list(fragments(value).values())
    # Then every part in reach (starting in the first LEADING_STARTS characters, or an ending up to
    # TRAILING long) is found by one of its two lookups, and the second leaves out what the first finds
    for start in range(len(value)):
        for end in range(start + 2, len(value) + 1):
            part, ending = value[start:end], end == len(value)
            if start >= LEADING_STARTS and not (ending and len(part) <= TRAILING):
                continue
            term = "%" + part + ("" if ending and len(part) <= TRAILING else "%")
            pattern = parse_search("name", term).like
            assert pattern is not None
            assert pattern.matches(value)
            probes = pattern.probes()
            found = [any(probe.finds(fragment) for fragment in written) for probe in probes]
            assert found[0] or found[1], (value, term)
            assert found[0] == found_first(value, probes)


@pytest.mark.parametrize("raw", ["%a%", "%", "%%", "a%b%c", " % "])
def test_a_like_term_needs_two_characters_in_a_part(raw):
    with pytest.raises(InvalidInput) as refused:
        parse_search("name", raw)
    assert refused.value.field == "q"


def test_fragments_are_every_other_suffix_and_bounded_per_value():
    # Given a short and a very long value
    short, long = "maria", "x" * 100 + "@example.com"
    # Then the short one gives its suffixes from even positions (before issue 19.2: all of them)
    assert sorted(fragments(short).values()) == sorted(["maria", "ria", "a"])
    assert sorted(fragments(short, FragmentLayout.EVERY_START).values()) == sorted(["maria", "aria", "ria", "ia", "a"])
    # And the long one at most the bound, each at most FRAGMENT_LENGTH long
    long_fragments = fragments(long)
    assert len(long_fragments) <= MAX_FRAGMENTS_PER_VALUE
    assert max(len(f) for f in long_fragments.values()) == FRAGMENT_LENGTH
    # And every ending up to TRAILING characters is there whole, or less its first character
    assert all({long[-n:], long[-n + 1:]} & set(long_fragments.values()) for n in range(2, TRAILING + 1))


@pytest.mark.parametrize(("raw", "region", "value"), [
    ("+31 (0)6 1234 5678", None, "+31612345678"),
    ("(+31) 612 345 678", None, "+31612345678"),
    ("tel:+31612345678", None, "+31612345678"),
    ("31612345678", None, "+31612345678"),
    ("06 12345678", "NL", "+31612345678"),
    ("+1 (415) 555-2671", "NL", "+14155552671"),
])
def test_a_phone_number_in_any_format_is_searched_as_e164(raw, region, value):
    assert parse_search("phone", raw, region=region).value == value


@pytest.mark.parametrize(("field", "raw"), [("name", "  "), ("phone", "+%"), ("phone", " - %")])
def test_an_empty_term_is_refused(field, raw):
    with pytest.raises(InvalidInput):
        parse_search(field, raw)


# --- custom attributes -------------------------------------------------------------------------


DEFINITIONS = {
    "tier": AttributeDefinition(key="tier", label="Tier", type=AttributeType.CHOICE, choices=("gold", "silver")),
    "born": AttributeDefinition(key="born", label="Birthday", type=AttributeType.DATE),
    "orders": AttributeDefinition(key="orders", label="Orders", type=AttributeType.NUMBER),
    "note": AttributeDefinition(key="note", label="Note", type=AttributeType.TEXT),
}


def test_values_are_checked_against_their_definition():
    # Given valid values, and a removal
    after = apply_attributes({"note": "old", "tier": "silver"},
                             {"tier": "gold", "born": " 1990-02-03", "orders": 3, "note": None}, DEFINITIONS)
    # Then they are stored as typed (a date as YYYY-MM-DD) and the removed one is gone
    assert after == {"tier": "gold", "born": "1990-02-03", "orders": 3}


@pytest.mark.parametrize(("changes", "field"), [
    ({"tier": "bronze"}, "attributes.tier"), ({"born": "3 Feb 1990"}, "attributes.born"),
    ({"orders": "3"}, "attributes.orders"), ({"orders": True}, "attributes.orders"),
    ({"orders": float("nan")}, "attributes.orders"), ({"note": 5}, "attributes.note"),
    ({"note": "x" * 1001}, "attributes.note"), ({"undefined": "x"}, "attributes.undefined"),
])
def test_bad_values_are_refused_naming_the_attribute(changes, field):
    with pytest.raises(InvalidInput) as refused:
        apply_attributes({}, changes, DEFINITIONS)
    assert refused.value.field == field


def test_definitions_need_choices_exactly_when_they_are_choices():
    with pytest.raises(InvalidInput):
        check_definition(AttributeDefinition(key="a", label="A", type=AttributeType.CHOICE))
    with pytest.raises(InvalidInput):
        check_definition(AttributeDefinition(key="a", label="A", type=AttributeType.TEXT, choices=("x",)))
    with pytest.raises(InvalidInput):
        check_definition(AttributeDefinition(key="a", label="A", type=AttributeType.CHOICE, choices=("x", "x")))


# --- merging ---------------------------------------------------------------------------------


def test_the_kept_profile_wins_and_the_source_fills_the_gaps():
    kept = CustomerProfile(id="k", name="Anna", attributes={"tier": "gold"}, created_at=NOW)
    source = CustomerProfile(id="s", name="A. de Vries", language="nl", attributes={"tier": "silver", "orders": 2},
                             created_at=NOW)
    assert merged_profile_fields(kept, source) == {"name": "Anna", "language": "nl",
                                                   "attributes": {"tier": "gold", "orders": 2}}


def test_a_merge_fits_one_transaction_up_to_100_actions():
    # 3 fixed + 3 per address or conversation (its story line) + 2 per log entry
    assert merge_actions(addresses=2, conversations=27, log_entries=6) == 3 + 6 + 81 + 12
    assert merge_actions(addresses=2, conversations=28, log_entries=6) > 100


def test_steps_stay_within_their_budget_and_move_everything():
    items = SourceItems(
        addresses=[CustomerAddressItem("CUST#s", f"ADDR#viber:{n}", address=f"viber:{n}") for n in range(5)],
        conversations=[CustomerConversationItem("CUST#s", f"CONV#{n}", conversation_id=str(n)) for n in range(4)],
        log_entries=[CommunicationItem("CUST#s", f"LOG#{n}", entry_id=str(n)) for n in range(3)])
    steps = chunks(items, budget=7)
    costs = [3 * (len(s.addresses) + len(s.conversations)) + 2 * len(s.log_entries) for s in steps]
    assert all(cost <= 7 for cost in costs)
    assert sum(len(s.addresses) for s in steps) == 5
    assert sum(len(s.conversations) + len(s.log_entries) for s in steps) == 7


# --- consent ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("channel", "text", "intent"), [
    (Channel.SMS, "STOP", True), (Channel.SMS, " stopall ", True), (Channel.SMS, "Unsubscribe.", True),
    (Channel.SMS, "cancel", True), (Channel.SMS, "END", True), (Channel.SMS, "quit!", True),
    (Channel.SMS, "start", False), (Channel.SMS, "Yes", False), (Channel.SMS, "UNSTOP", False),
    (Channel.SMS, "please stop the delivery", None), (Channel.SMS, None, None),
    (Channel.WHATSAPP, "stop", True), (Channel.WHATSAPP, "yes", None), (Channel.TELEGRAM, "subscribe", False),
])
def test_keywords_match_the_whole_message(channel, text, intent):
    assert keyword_intent(channel, text) is intent


def test_keywords_are_configurable_per_channel():
    overrides = {Channel.WHATSAPP: ConsentKeywords(opt_out=("AFMELDEN",), opt_in=("AANMELDEN",))}
    assert keyword_intent(Channel.WHATSAPP, "afmelden", overrides) is True
    assert keyword_intent(Channel.WHATSAPP, "stop", overrides) is None  # replaced, not added
    assert keyword_intent(Channel.SMS, "stop", overrides) is True  # other channels keep their defaults


def test_an_opted_out_address_is_refused_by_name():
    refuse_if_opted_out(None)
    refuse_if_opted_out(ConsentState(channel=Channel.SMS, address="+31612345678", opted_out=False))
    with pytest.raises(OptedOut, match=r"\+31612345678 opted out of sms") as refused:
        refuse_if_opted_out(ConsentState(channel=Channel.SMS, address="+31612345678", opted_out=True, changed_at=NOW))
    assert refused.value.code == "opted_out"
