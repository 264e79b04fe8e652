"""What opening a conversation writes (issue 19): one transaction of what must change together (the
provider-id claim, the message, the conversation, its open pointer, the customer's open marker, the
statistics), then what finding it needs (customer id and name links, the customer's list of
conversations) as plain puts in one BatchWriteItem: a transaction bills its writes double. A delivery that stopped
between the two is completed by the queue's retry of the same message, whatever that retry plans
(opening again or appending to the conversation the first one opened). And a message whose append
stopped after claiming its provider id is stored when its retry opens a conversation instead. Every
DynamoDB write request is recorded (in-process moto)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chalicelib.domain.models import ConversationState
from chalicelib.domain.ports.conversations import IngestPlan
from chalicelib.storage import conversations, keys
from chalicelib.storage.items import MessageItem, TableItem
from chalicelib.storage.lifecycle import ConversationStateStore
from chalicelib.storage.repository import ContactRepository

from tests.contract.builders import appending, inbound, opening, unique
from tests.unit.conftest import Written

PROFILE = "c-profile"


def beside(conversation_id: str) -> set[tuple[str, str]]:
    """The keys of what follows the opening of a conversation of PROFILE."""
    conversation = ContactRepository().get_conversation(conversation_id)
    return {(keys.conversation_pk(conversation_id), keys.CUSTOMER_ID_LINK_SK),
            (keys.conversation_pk(conversation_id), keys.CUSTOMER_NAME_LINK_SK),
            (keys.customer_pk(PROFILE), keys.customer_conversation_sk(conversation.created_at, conversation_id))}


def stored(wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(item.pk, item.sk) for item in TableItem.batch_get(list(wanted), consistent_read=True)}


def with_profile(plan: IngestPlan) -> IngestPlan:
    return replace(plan, profile_id=PROFILE)


def test_an_opening_is_a_transaction_of_seven_and_one_batch_of_what_follows(writes: Written) -> None:
    # When a message opens a conversation of a customer with a profile
    result = ContactRepository().ingest_message(with_profile(opening(inbound(unique("+316")))))
    assert result is not None
    conversation_id = result.conversation.id
    # Then one transaction wrote the claim, the message, the conversation, its pointer, the
    # customer's open marker and two counters
    in_transaction = [key for operation, key in writes if operation == "TransactWriteItems"]
    assert len(in_transaction) == 7
    assert (keys.conversation_pk(conversation_id), keys.CONVERSATION_SK) in in_transaction
    assert (keys.customer_pk(PROFILE), keys.customer_open_sk(conversation_id)) in in_transaction
    # And one batch put the links and the customer's record of it, after it
    batched = {key for operation, key in writes if operation == "BatchWriteItem"}
    assert batched == beside(conversation_id)
    assert [operation for operation, _ in writes] == ["TransactWriteItems"] * 7 + ["BatchWriteItem"] * 3
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


def test_a_redelivery_puts_nothing_that_is_there(writes: Written) -> None:
    # Given a conversation opened, and archived since
    store = ContactRepository()
    event = inbound(unique("+316"))
    plan = with_profile(opening(event))
    assert store.ingest_message(plan) is not None
    conversation = store.get_conversation(plan.conversation_id)
    ConversationStateStore().transition(conversation, ConversationState.ARCHIVED, owner_id=None, now=event.sent_at)
    writes.clear()
    # When its first message is delivered again
    assert store.ingest_message(with_profile(appending(event, plan.conversation_id))) is None
    # Then nothing is written but the refused claim: the links and the customer's record are there
    claim = (keys.provider_message_pk(event.channel.value, event.account_id, event.provider_message_id), "PMSG")
    assert writes == [("PutItem", claim)]
    assert stored(beside(plan.conversation_id)) == beside(plan.conversation_id)


def test_a_message_whose_append_stopped_after_its_claim_is_stored_when_its_retry_opens_a_conversation(
        writes: Written, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an open conversation, and a message planned into it whose function stopped after
    # claiming its provider id, before the message
    store = ContactRepository()
    customer = unique("+316")
    first = store.ingest_message(with_profile(opening(inbound(customer))))
    assert first is not None
    event = inbound(customer, minutes=5, text="Are you there?")

    def stopped(self: MessageItem, *args: object, **kwargs: object) -> None:
        raise TimeoutError("the function stopped")

    monkeypatch.setattr(MessageItem, "save", stopped)
    with pytest.raises(TimeoutError):
        store.ingest_message(appending(event, first.conversation.id))
    monkeypatch.undo()
    # And the conversation archived before the queue's retry
    archived = ConversationStateStore().transition(store.get_conversation(first.conversation.id),
                                                   ConversationState.ARCHIVED, owner_id=None, now=event.sent_at)
    # When the retry opens a new conversation for the message (its address's pointer leads to the archived one)
    retry = with_profile(opening(event, replaces=archived.id))
    result = store.ingest_message(retry)
    # Then the message is stored, in the new conversation
    assert result is not None
    assert result.created_conversation
    assert [message.text for message in store.list_messages(retry.conversation_id, limit=10, cursor=None).items] == [
        "Are you there?"]
    assert [message.text for message in store.list_messages(archived.id, limit=10, cursor=None).items] == ["Hello"]
    # And a later redelivery of it stores nothing more
    assert store.ingest_message(with_profile(appending(event, retry.conversation_id))) is None
    assert len(store.list_messages(retry.conversation_id, limit=10, cursor=None).items) == 1
