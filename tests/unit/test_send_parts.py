"""A reply sent as several provider messages: each part is noted as it goes, and a later attempt
resumes at the first part that did not go."""

from collections.abc import Sequence

import pytest
from chalicelib.channels.base import PartProgress, SendFailed, send_parts


def provider(fail_at: int | None = None):
    calls: list[str] = []

    def send_one(part: str) -> str:
        if fail_at is not None and len(calls) == fail_at:
            calls.append(f"refused {part}")
            raise SendFailed("500", "try later", permanent=False)
        calls.append(part)
        return f"id-{part}"

    return calls, send_one


def test_parts_go_in_order_and_each_is_noted_as_it_goes():
    noted: list[Sequence[str]] = []
    calls, send_one = provider()
    sent = send_parts(["text", "photo1", "photo2"], send_one, PartProgress(record=noted.append))
    assert calls == ["text", "photo1", "photo2"]
    assert (sent.provider_message_id, sent.part_ids) == ("id-text", ("id-text", "id-photo1", "id-photo2"))
    assert [tuple(n) for n in noted] == [("id-text",), ("id-text", "id-photo1"),
                                         ("id-text", "id-photo1", "id-photo2")]


def test_a_retry_resumes_after_the_parts_that_went():
    # Given the second part failed on the first attempt
    noted: list[Sequence[str]] = []
    calls, send_one = provider(fail_at=1)
    with pytest.raises(SendFailed):
        send_parts(["text", "photo1", "photo2"], send_one, PartProgress(record=noted.append))
    assert noted == [("id-text",)]
    # When the retry starts from what was noted
    calls, send_one = provider()
    sent = send_parts(["text", "photo1", "photo2"], send_one, PartProgress(sent=noted[-1], record=noted.append))
    # Then only the parts that did not go are sent, and the first part still stands for the reply
    assert calls == ["photo1", "photo2"]
    assert sent.provider_message_id == "id-text"
    assert sent.part_ids == ("id-text", "id-photo1", "id-photo2")


def test_more_parts_noted_than_the_reply_has_is_a_permanent_failure():
    _, send_one = provider()
    with pytest.raises(SendFailed) as raised:
        send_parts(["text"], send_one, PartProgress(sent=("a", "b")))
    assert raised.value.permanent
