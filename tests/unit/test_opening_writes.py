"""What opening a conversation writes (issue 19): one transaction of what must change together (the
provider-id claim, the message, the conversation, its open pointer, the statistics), then the items
an open conversation has beside it (customer id and name links, the customer's list and open marker)
as plain puts in one BatchWriteItem: a transaction bills its writes double. A delivery that stopped
between the two is completed by the queue's retry of the same message, whatever that retry plans
(opening again or appending to the conversation the first one opened). Every DynamoDB write request
is recorded (in-process moto)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chalicelib.domain.models import ConversationState
from chalicelib.domain.ports.conversations import IngestPlan
from chalicelib.storage import conversations, keys
from chalicelib.storage.items import TableItem
from chalicelib.storage.lifecycle import ConversationStateStore
from chalicelib.storage.repository import ContactRepository

from tests.contract.builders import appending, inbound, opening, unique
from tests.unit.conftest import Written

PROFILE = "c-profile"


def beside(conversation_id: str, *, name: str = "Ann", open_marker: bool = True) -> set[tuple[str, str]]:
    """The keys of what an open conversation of PROFILE has beside it."""
    conversation = ContactRepository().get_conversation(conversation_id)
    wanted = {(keys.conversation_pk(conversation_id), keys.CUSTOMER_ID_LINK_SK),
              (keys.conversation_pk(conversation_id), keys.CUSTOMER_NAME_LINK_SK),
              (keys.customer_pk(PROFILE), keys.customer_conversation_sk(conversation.created_at, conversation_id))}
    if open_marker:
        wanted.add((keys.customer_pk(PROFILE), keys.customer_open_sk(conversation_id)))
    assert name == conversation.customer_name
    return wanted


def stored(wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(item.pk, item.sk) for item in TableItem.batch_get(list(wanted), consistent_read=True)}


def with_profile(plan: IngestPlan) -> IngestPlan:
    return replace(plan, profile_id=PROFILE)


def test_an_opening_is_a_transaction_of_six_and_one_batch_of_what_follows(writes: Written) -> None:
    # When a message opens a conversation of a customer with a profile
    result = ContactRepository().ingest_message(with_profile(opening(inbound(unique("+316")))))
    assert result is not None
    conversation_id = result.conversation.id
    # Then one transaction wrote the claim, the message, the conversation, its pointer and two counters
    in_transaction = [key for operation, key in writes if operation == "TransactWriteItems"]
    assert len(in_transaction) == 6
    assert (keys.conversation_pk(conversation_id), keys.CONVERSATION_SK) in in_transaction
    # And one batch put the links and the customer's records, after it
    batched = {key for operation, key in writes if operation == "BatchWriteItem"}
    assert batched == beside(conversation_id)
    assert [operation for operation, _ in writes] == ["TransactWriteItems"] * 6 + ["BatchWriteItem"] * 4
    assert stored(batched) == batched


@pytest.mark.parametrize("retry", ["opens again", "appends"])
def test_a_delivery_that_stopped_after_the_transaction_is_completed_by_its_retry(
        writes: Written, monkeypatch: pytest.MonkeyPatch, retry: str) -> None:
    # Given an opening whose function stopped right after the transaction
    store = ContactRepository()
    event = inbound(unique("+316"))
    plan = with_profile(opening(event))

    def stopped(items: object) -> None:
        raise TimeoutError("the function stopped")

    monkeypatch.setattr(conversations, "_put_all", stopped)
    with pytest.raises(TimeoutError):
        store.ingest_message(plan)
    monkeypatch.undo()
    wanted = beside(plan.conversation_id)
    assert stored(wanted) == set()
    # When the queue delivers the message again, planned as an opening again or (the pointer now
    # leads to the conversation) as a message in it
    again = plan if retry == "opens again" else with_profile(appending(event, plan.conversation_id))
    # Then nothing is stored twice, and what follows an opening is there
    assert store.ingest_message(again) is None
    assert stored(wanted) == wanted
    assert len(store.list_messages(plan.conversation_id, limit=10, cursor=None).items) == 1


def test_a_redelivery_puts_nothing_that_is_there_and_no_open_marker_on_an_archived_conversation(
        writes: Written) -> None:
    # Given a conversation opened, and archived without its open marker
    store = ContactRepository()
    event = inbound(unique("+316"))
    plan = with_profile(opening(event))
    assert store.ingest_message(plan) is not None
    conversation = store.get_conversation(plan.conversation_id)
    TableItem(keys.customer_pk(PROFILE), keys.customer_open_sk(plan.conversation_id)).delete()
    ConversationStateStore().transition(conversation, ConversationState.ARCHIVED, owner_id=None, now=event.sent_at)
    writes.clear()
    # When its first message is delivered again
    assert store.ingest_message(with_profile(appending(event, plan.conversation_id))) is None
    # Then nothing is put: the links and the customer's list are there, and no open marker comes back
    assert [operation for operation, _ in writes if operation != "PutItem"] == []
    assert [key for _, key in writes if key[0] != keys.provider_message_pk(
        event.channel.value, event.account_id, event.provider_message_id)] == []
    assert stored(beside(plan.conversation_id, open_marker=False)) == beside(plan.conversation_id,
                                                                              open_marker=False)
