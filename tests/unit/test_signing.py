"""Our webhook signature scheme (X-Contact-Signature: t=<unix>,v1=<hex>), checked against an
HMAC computed here by hand, and the refusals: missing, malformed, forged, stale."""

import hashlib
import hmac

import pytest
from chalicelib.core.signing import SIGNATURE_HEADER, TOLERANCE_SECONDS, signature_header, verify
from chalicelib.domain.errors import SignatureRejected

SECRET = "whsec-0123456789abcdef0123456789abcdef"
BODY = b'{"type":"message","message_id":"m-1","text":"Hello"}'
NOW = 1_760_000_000


def by_hand(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def test_the_header_is_the_timestamp_and_the_hmac_of_timestamp_dot_body():
    # When signing a body at a moment
    header = signature_header(SECRET, NOW, BODY)
    # Then the header names the moment and the HMAC-SHA256 of "<t>.<body>"
    assert header == f"t={NOW},v1={by_hand(SECRET, NOW, BODY)}"


def test_a_fresh_signature_verifies_and_gives_its_timestamp():
    header = f"t={NOW},v1={by_hand(SECRET, NOW, BODY)}"
    assert verify(header, BODY, SECRET, now=NOW + 10) == NOW


def test_one_matching_v1_among_several_is_enough_so_secrets_can_rotate():
    # Given a header signed with the new and the old secret
    header = signature_header(["new-secret-value-of-some-length!!", SECRET], NOW, BODY)
    # Then a receiver that knows only the old one accepts it, and one that knows the new one too
    assert verify(header, BODY, SECRET, now=NOW) == NOW
    assert verify(header, BODY, ["new-secret-value-of-some-length!!"], now=NOW) == NOW


@pytest.mark.parametrize(("header", "reason"), [
    (None, "missing"),
    ("", "missing"),
    ("v1=abc", "must read"),
    (f"t={NOW}", "must read"),
    (f"t=soon,v1={'0' * 64}", "not Unix seconds"),
    (f"t={NOW},v1={'0' * 64}", "does not match"),
])
def test_missing_malformed_and_forged_signatures_are_refused(header, reason):
    with pytest.raises(SignatureRejected, match=reason) as refused:
        verify(header, BODY, SECRET, now=NOW)
    assert refused.value.field == SIGNATURE_HEADER


def test_a_signature_over_another_body_or_with_another_secret_is_refused():
    header = signature_header(SECRET, NOW, BODY)
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(header, BODY + b" ", SECRET, now=NOW)
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(header, BODY, SECRET + "x", now=NOW)


def test_a_changed_timestamp_breaks_the_signature():
    # Given a valid signature whose timestamp an attacker moves forward to look fresh
    signed = by_hand(SECRET, NOW - 3600, BODY)
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(f"t={NOW},v1={signed}", BODY, SECRET, now=NOW)


@pytest.mark.parametrize("offset", [TOLERANCE_SECONDS + 1, -(TOLERANCE_SECONDS + 1), 86_400])
def test_a_timestamp_more_than_five_minutes_away_is_refused_even_if_signed(offset):
    # Given a correctly signed request from too long ago (a replay) or too far ahead
    header = signature_header(SECRET, NOW - offset, BODY)
    # Then it is refused as stale
    with pytest.raises(SignatureRejected, match="from now"):
        verify(header, BODY, SECRET, now=NOW)


def test_the_edge_of_the_tolerance_is_still_accepted():
    header = signature_header(SECRET, NOW - TOLERANCE_SECONDS, BODY)
    assert verify(header, BODY, SECRET, now=NOW) == NOW - TOLERANCE_SECONDS
