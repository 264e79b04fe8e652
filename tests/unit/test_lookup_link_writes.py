"""What a message writes to the conversation's lookup links (issue 19): a customer's id and name
links are on the creation index only, so a message leaves them alone (the name link moves when the
name changes); a tag link carries the conversation's last-message key, so a tag's list sorts by
it. Every DynamoDB write request is recorded as the stores send it (in-process moto)."""

from __future__ import annotations

from chalicelib.domain.models import Conversation
from chalicelib.storage import keys
from chalicelib.storage.items import ConversationItem, ConversationLinkItem
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.tags import TagRepository

from tests.contract.builders import appending, inbound, opening, unique
from tests.unit.conftest import Written


def link_writes(recorded: Written, conversation: Conversation) -> list[str]:
    pk = keys.conversation_pk(conversation.id)
    return [sk for _, (partition, sk) in recorded if partition == pk and sk.startswith(keys.LINK_PREFIX)]


def link(conversation: Conversation, sk: str) -> ConversationLinkItem:
    return ConversationLinkItem.get(keys.conversation_pk(conversation.id), sk, consistent_read=True)


def test_a_message_moves_only_the_tag_links_and_the_name_link_when_the_name_changed(writes: Written) -> None:
    # Given a tagged conversation of a customer named Ann
    store, tags = ContactRepository(), TagRepository()
    customer = unique("+316")
    opened = store.ingest_message(opening(inbound(customer, name="Ann")))
    assert opened is not None
    conversation = opened.conversation
    assert tags.add(conversation, "vip")
    writes.clear()
    # When Ann writes again under the same name
    followed = store.ingest_message(appending(inbound(customer, minutes=5, name="Ann"), conversation.id))
    assert followed is not None
    # Then only the tag link is written: it carries the conversation's new last-message key
    assert link_writes(writes, conversation) == [keys.tag_link_sk("vip")]
    item = ConversationItem.get(keys.conversation_pk(conversation.id), keys.CONVERSATION_SK, consistent_read=True)
    assert link(conversation, keys.tag_link_sk("vip")).activity_sk == item.activity_sk
    # And the customer's links are on the creation index only
    for sk in (keys.CUSTOMER_ID_LINK_SK, keys.CUSTOMER_NAME_LINK_SK):
        assert link(conversation, sk).activity_sk is None
    writes.clear()
    # When the customer writes under another name
    store.ingest_message(appending(inbound(customer, minutes=6, name="Ann de Vries"), conversation.id))
    # Then the name link moves to it, once
    assert link_writes(writes, conversation) == [keys.CUSTOMER_NAME_LINK_SK, keys.tag_link_sk("vip")]
    assert link(conversation, keys.CUSTOMER_NAME_LINK_SK).lookup_pk == keys.customer_lookup_pk(
        conversation.team_id, "Ann de Vries")


def test_an_agent_s_reply_moves_the_tag_links_only(writes: Written) -> None:
    # Given a tagged conversation
    store, tags = ContactRepository(), TagRepository()
    opened = store.ingest_message(opening(inbound(unique("+316"), name="Bo")))
    assert opened is not None
    assert tags.add(opened.conversation, "billing")
    conversation = store.get_conversation(opened.conversation.id)
    writes.clear()
    # When an agent answers
    store.add_outbound_message(conversation, author_id="agent-1", text="Hi Bo", sent_at=inbound("x", minutes=9).sent_at)
    # Then of its links only the tag's is written
    assert link_writes(writes, conversation) == [keys.tag_link_sk("billing")]
