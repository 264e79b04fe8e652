"""The conversations of the single table: read one or a tab, the customer's open pointer, ingest
a customer's message by the plan routing made (domain/routing.py ``plan_ingest``), automatic
assignment, and the New list the assignment worker reads.

Every list reads by Query on the table or an index (never Scan) and pages with an opaque cursor;
races are settled by condition expressions (storage/conditions.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from chalicelib.domain import ids
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.models import (
    Channel,
    Conversation,
    ConversationState,
    InboundMessage,
    Message,
    Page,
    preview_of,
)
from chalicelib.domain.ports.conversations import AutoAssignOutcome, IngestAction, IngestPlan, IngestResult, Tally
from pynamodb.connection import Connection
from pynamodb.exceptions import QueryError
from pynamodb.expressions.update import Action
from pynamodb.indexes import Index
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .admin_items import RoundRobinItem
from .conditions import ConditionFailed, conditional, tolerated
from .conversation_items import (
    customer_links,
    customer_name_link,
    inbound_message_item,
    index_key_actions,
    list_keys,
    place_message,
    read_conversations,
    system_line_item,
    to_conversation,
    to_message,
)
from .customer_items import CustomerConversationItem, CustomerOpenItem
from .items import (
    ConversationItem,
    ConversationLinkItem,
    MessageItem,
    OpenConversationItem,
    ProviderMessageItem,
    TableItem,
)
from .paging import decode_cursor, encode_cursor, get_item
from .statistics import count_in
from .transact import commit, table_connection

ListView = Literal["new", "mine", "assigned", "all"]
SortField = Literal["created", "activity"]


class ConversationStore:
    """``Conversations`` (domain/ports/conversations.py) on DynamoDB."""

    @staticmethod
    def _conn() -> Connection:
        return table_connection()

    def get_conversation(self, conversation_id: str) -> Conversation:
        item = get_item(ConversationItem, keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        if item is None:
            raise NotFound(f"conversation {conversation_id} does not exist", field="conversation_id")
        return to_conversation(item)

    def list_conversations(
        self,
        *,
        view: ListView,
        team_id: str,
        user_id: str,
        sort: SortField,
        ascending: bool,
        limit: int,
        cursor: str | None,
    ) -> Page[Conversation]:
        """One page of a tab. Each tab is one Query on one index, so a page costs the same
        whatever the number of conversations."""
        index: Index[ConversationItem]
        if view == "new":
            index_key = keys.state_list_pk(team_id, ConversationState.NEW.value)
            index = ConversationItem.state_created if sort == "created" else ConversationItem.state_activity
        elif view == "assigned":
            index_key = keys.state_list_pk(team_id, ConversationState.ASSIGNED.value)
            index = ConversationItem.state_created if sort == "created" else ConversationItem.state_activity
        elif view == "mine":
            index_key = keys.owner_list_pk(team_id, user_id)
            index = ConversationItem.owner_created if sort == "created" else ConversationItem.owner_activity
        elif sort == "activity":
            # Imported here: the search criteria and the lists' merging (with the waiting rules they
            # take) are the API's, and every worker that reads or writes a conversation loads this
            # module at its cold start.
            from chalicelib.domain.search import Criteria

            from .listing import MergedStates
            return MergedStates(Criteria(team_id=team_id), ascending=ascending).page(limit, cursor)
        else:
            index_key = keys.team_list_pk(team_id)
            index = ConversationItem.team_created
        results: ResultIterator[ConversationItem] = index.query(
            index_key, scan_index_forward=ascending, limit=limit,
            last_evaluated_key=decode_cursor(cursor),
        )
        try:
            items = read_conversations(index, results)
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this list", field="cursor") from error
        return Page[Conversation](items=items, next_cursor=encode_cursor(results.last_evaluated_key))

    def open_conversation(self, account_id: str, customer_id: str) -> Conversation | None:
        """The customer's current conversation on this account (possibly archived: the pointer
        stays until a new conversation replaces it, so a reopen finds it)."""
        pointer = get_item(OpenConversationItem, keys.open_conversation_pk(account_id, customer_id), "OPEN")
        if pointer is None:
            return None
        item = get_item(ConversationItem, keys.conversation_pk(pointer.conversation_id), keys.CONVERSATION_SK)
        return None if item is None else to_conversation(item)

    def has_provider_message(self, channel: Channel, account_id: str, provider_message_id: str) -> bool:
        """Whether this provider message id is stored already (a redelivery)."""
        return get_item(ProviderMessageItem, keys.provider_message_pk(channel.value, account_id,
                                                                       provider_message_id), "PMSG") is not None

    def ingest_message(self, plan: IngestPlan) -> IngestResult | None:
        """Store an inbound message as routing planned it (domain/routing.py ``plan_ingest``).

        A redelivered webhook writes nothing: the provider-id item is written on the condition
        that it does not exist yet, in the same transaction as the message when the message opens
        or joins a conversation, before it otherwise (``_append``). Opening writes the
        conversation, its open pointer (taking over from ``plan.replaces``, else new), the
        customer's open marker and the statistics counters together, then its lookup links and
        its place on the customer's list (``_opened_items``); joining moves the pointer to the
        customer's open conversation, which must still be open.
        """
        return self._ingest(plan, retried=False)

    def _ingest(self, plan: IngestPlan, *, retried: bool) -> IngestResult | None:
        event, conversation_id = plan.event, plan.conversation_id
        opening, joining = plan.action is IngestAction.OPEN, plan.action is IngestAction.JOIN
        message = inbound_message_item(event, plan.attachments)
        place_message(message, conversation_id)
        provider_item = ProviderMessageItem(
            keys.provider_message_pk(event.channel.value, event.account_id, event.provider_message_id), "PMSG",
            conversation_id=conversation_id, message_sk=message.sk,
        )
        if not (opening or joining):
            return self._append(plan, message, provider_item)
        # The conversation this write opens, as written (a retried commit writes it again).
        opened: list[ConversationItem] = []

        def write(transaction: TransactWrite) -> None:
            opened.clear()
            transaction.save(provider_item, condition=ProviderMessageItem.pk.does_not_exist())
            transaction.save(message)
            if opening:
                opened.append(self._open(transaction, event, conversation_id, plan.team_id, plan.replaces,
                                         plan.profile_id))
                count_in(transaction, plan.tally)
            elif joining:
                self._join(transaction, event, conversation_id, plan.replaces)

        try:
            with conditional():
                commit(self._conn(), write)
        except ConditionFailed as failure:
            # The provider-id put is the first put; a join's condition check goes before it.
            if failure.failed_at(1 if joining else 0):
                return self._claimed_before(plan, provider_item, retried=retried)
            # Another delivery opened the customer's conversation at the same moment:
            # let the queue retry, and the retry joins that conversation.
            raise Conflict("customer's conversation was opened concurrently") from failure
        if opened:
            _put_all(self._opened_items(opened[0], plan.profile_id))
        return IngestResult(conversation=self._as_left(opened[0] if opened else None, conversation_id, event),
                            message=to_message(message), created_conversation=opening)

    def _claimed_before(self, plan: IngestPlan, provider_item: ProviderMessageItem, *,
                        retried: bool) -> IngestResult | None:
        """An opening or a join found the message's provider id claimed. With the claimed message
        stored: a redelivery, which stores nothing (and completes what an opening it was may have
        left undone). Without it: a delivery planned as a message in the conversation then open
        claimed the id and stopped before the message (``_append``), and that conversation has been
        archived since, so this retry opens (or joins) another: the stale claim goes (only as it
        was read), and the message is stored as planned now, the write run once more."""
        claim = get_item(ProviderMessageItem, provider_item.pk, provider_item.sk, consistent=True)
        if claim is not None and _claimed_message_stored(claim):
            self._complete_redelivered(claim, plan.profile_id)
            return None
        if retried:
            raise Conflict("the message's provider id is claimed without its message; try again")
        if claim is not None:
            with tolerated():
                claim.delete(condition=ProviderMessageItem.message_sk == claim.message_sk)
        return self._ingest(plan, retried=True)

    def _append(self, plan: IngestPlan, message: MessageItem,
                provider_item: ProviderMessageItem) -> IngestResult | None:
        """A message in the conversation that is open already: two plain writes, not a
        transaction (which DynamoDB bills double). The provider-id item is put first, on the
        condition that it does not exist, and names where its message goes; a delivery that finds
        the claim looks there, not at the key it would derive itself (a provider may resend with
        another timestamp, and the message's key starts with it). Found: a redelivery, nothing
        written. Missing: the delivery that claimed crashed before its message, which is written
        now under the claim's key, so retries never store a second copy."""
        with tolerated() as claimed_before:
            provider_item.save(condition=ProviderMessageItem.pk.does_not_exist())
        if claimed_before.refused:
            claim = get_item(ProviderMessageItem, provider_item.pk, provider_item.sk, consistent=True)
            if claim is None:  # removed since (retention): claim again
                provider_item.save()
            else:
                place_message(message, claim.conversation_id)
                message.sk = claim.message_sk
                message.message_id = claim.message_sk.removeprefix(keys.message_sk(""))
                if _claimed_message_stored(claim):
                    # A redelivery of a message stored before (perhaps the one that opened the
                    # conversation, whose delivery stopped before the writes that follow an opening).
                    self._complete_redelivered(claim, plan.profile_id)
                    return None
        message.save()
        return IngestResult(conversation=self._as_left(None, plan.conversation_id, plan.event),
                            message=to_message(message), created_conversation=False)

    def _as_left(self, opened: ConversationItem | None, conversation_id: str, event: InboundMessage) -> Conversation:
        """The conversation as an ingest left it: known without reading it again, unless an older
        message (arriving late) left it untouched."""
        if opened is not None:
            # As stored (times in UTC whatever offset the provider's time had), without a read.
            return to_conversation(ConversationItem.from_raw_data(opened.serialize()))
        return self._touch_conversation(conversation_id, event) or self.get_conversation(conversation_id)

    def import_conversations(self, threads: Iterable[Sequence[InboundMessage]], *, team_id: str) -> list[str]:
        """Store each thread (one customer's messages, oldest first) as a New conversation of
        ``team_id``, with the items ``ingest_message`` writes, in batch writes of 25 without
        conditions or transactions. For loading history where nothing of these customers exists
        yet (the local runtime's bulk seeding, a migration), never for live traffic: nothing
        here is idempotent or checks for an open conversation."""
        conversation_ids: list[str] = []
        with TableItem.batch_write() as batch:
            for thread in threads:
                first, last = thread[0], thread[-1]
                conversation_id = ids.new_conversation_id()
                item = self._new_conversation_item(first, conversation_id, team_id)
                item.last_message_at = item.last_customer_message_at = last.sent_at
                item.activity_sk = keys.time_sk(last.sent_at, conversation_id)
                item.preview = preview_of(last.kind, last.text)
                batch.save(item)
                batch.save(OpenConversationItem(keys.open_conversation_pk(first.account_id, first.customer_id),
                                                "OPEN", conversation_id=conversation_id))
                for link in customer_links(conversation_id, team_id, first.customer_id, first.customer_name,
                                           item.created_sk):
                    batch.save(link)
                for event in thread:
                    message = inbound_message_item(event, ())
                    place_message(message, conversation_id)
                    batch.save(message)
                    batch.save(ProviderMessageItem(
                        keys.provider_message_pk(event.channel.value, event.account_id, event.provider_message_id),
                        "PMSG", conversation_id=conversation_id, message_sk=message.sk))
                conversation_ids.append(conversation_id)
        return conversation_ids

    def _open(self, transaction: TransactWrite, event: InboundMessage, conversation_id: str, team_id: str,
              replaces: str | None, profile_id: str | None) -> ConversationItem:
        """The transaction's part of opening a conversation for the message: the conversation, its
        open pointer (``replaces``: the archived one whose pointer it takes over) and, with a
        profile, the customer's open marker (an open conversation always has one: routing's one
        open conversation per customer finds it there); returns the conversation item written.
        The rest follows the commit (``_opened_items``)."""
        conversation_item = self._new_conversation_item(event, conversation_id, team_id)
        transaction.save(conversation_item, condition=ConversationItem.pk.does_not_exist())
        transaction.save(
            OpenConversationItem(keys.open_conversation_pk(event.account_id, event.customer_id),
                                 "OPEN", conversation_id=conversation_id),
            condition=(OpenConversationItem.conversation_id == replaces) if replaces
            else OpenConversationItem.pk.does_not_exist(),
        )
        if profile_id is not None:
            transaction.save(CustomerOpenItem(keys.customer_pk(profile_id), keys.customer_open_sk(conversation_id),
                                              conversation_id=conversation_id))
        return conversation_item

    @staticmethod
    def _opened_items(conversation: ConversationItem, profile_id: str | None) -> list[TableItem]:
        """What a conversation has beside it that finding it needs, not its opening: its customer id
        and name links (the inbox's customer filter) and, with a profile, its place on the
        customer's list of conversations (storage/customers.py). Put after the opening's transaction,
        not in it (DynamoDB bills a transaction's writes double: 3 write units of an opening): each
        is a plain put of what the conversation says, so a delivery that stopped before them is
        completed by the queue's retry of the same message (``_complete_redelivered``); until then
        the conversation is in every list but those two."""
        items: list[TableItem] = list(customer_links(conversation.conversation_id, conversation.team_id,
                                                     conversation.customer_id, conversation.customer_name,
                                                     conversation.created_sk))
        if profile_id is not None:
            items.append(CustomerConversationItem(
                keys.customer_pk(profile_id), keys.customer_conversation_sk(conversation.created_at,
                                                                            conversation.conversation_id),
                conversation_id=conversation.conversation_id, channel=conversation.channel,
                account_id=conversation.account_id, created_at=conversation.created_at))
        return items

    def _complete_redelivered(self, claim: ProviderMessageItem, profile_id: str | None) -> None:
        """A message delivered again, already stored: if it opened its conversation, the delivery
        before may have stopped between the opening's transaction and what follows it
        (``_opened_items``). Those of the items that are missing are put, as the conversation is now
        (its current name). Read first: a redelivery is rare, and a read costs less than a write.
        ``claim``: the provider-id item as stored."""
        conversation = get_item(ConversationItem, keys.conversation_pk(claim.conversation_id), keys.CONVERSATION_SK,
                                consistent=True)
        if conversation is None:  # purged meanwhile
            return
        wanted = self._opened_items(conversation, profile_id)
        present = {(item.pk, item.sk) for item in TableItem.batch_get([(item.pk, item.sk) for item in wanted],
                                                                     consistent_read=True)}
        _put_all([item for item in wanted if (item.pk, item.sk) not in present])

    @staticmethod
    def _join(transaction: TransactWrite, event: InboundMessage, conversation_id: str, replaces: str | None) -> None:
        """The writes that put the message in the customer's open conversation on another channel
        (one open conversation per customer): it must still be open, and this address's pointer
        now points at it."""
        transaction.condition_check(ConversationItem, keys.conversation_pk(conversation_id), keys.CONVERSATION_SK,
                                    condition=ConversationItem.state != ConversationState.ARCHIVED.value)
        transaction.save(
            OpenConversationItem(keys.open_conversation_pk(event.account_id, event.customer_id),
                                 "OPEN", conversation_id=conversation_id),
            condition=(OpenConversationItem.conversation_id == replaces) if replaces
            else OpenConversationItem.pk.does_not_exist(),
        )

    def _new_conversation_item(self, event: InboundMessage, conversation_id: str, team_id: str) -> ConversationItem:
        state = ConversationState.NEW
        index_keys = list_keys(state, team_id, None)
        return ConversationItem(
            keys.conversation_pk(conversation_id), keys.CONVERSATION_SK,
            conversation_id=conversation_id, channel=event.channel.value, account_id=event.account_id,
            customer_id=event.customer_id, customer_name=event.customer_name, team_id=team_id,
            state=state.value, owner_id=None, created_at=event.sent_at, last_message_at=event.sent_at,
            last_customer_message_at=event.sent_at, preview=preview_of(event.kind, event.text), version=0,
            waiting_since=event.sent_at, created_sk=keys.time_sk(event.sent_at, conversation_id),
            activity_sk=keys.time_sk(event.sent_at, conversation_id),
            state_pk=index_keys.state_pk, team_pk=index_keys.team_pk, owner_pk=index_keys.owner_pk,
        )

    def name_customer(self, conversation_id: str, name: str) -> None:
        """The customer's name where the conversation has none yet, and its lookup link (the
        inbox's customer search finds it by name)."""
        item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        with tolerated() as named:
            item.update(actions=[ConversationItem.customer_name.set(name)],
                        condition=ConversationItem.pk.exists() & ConversationItem.customer_name.does_not_exist())
        if named.refused:
            return
        customer_name_link(conversation_id, item.team_id, name, item.created_sk).save()

    def _touch_conversation(self, conversation_id: str, event: InboundMessage) -> Conversation | None:
        """Move the conversation's activity forward and return it; an older message (arriving late)
        leaves it (None)."""
        item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        actions: list[Action] = [
            ConversationItem.last_message_at.set(event.sent_at),
            ConversationItem.last_customer_message_at.set(event.sent_at),
            ConversationItem.activity_sk.set(keys.time_sk(event.sent_at, conversation_id)),
            ConversationItem.preview.set(preview_of(event.kind, event.text)),
            # The customer waits for an answer from their first unanswered message; we no longer wait for them.
            ConversationItem.waiting_since.set(ConversationItem.waiting_since | event.sent_at),
            ConversationItem.awaiting_customer_since.remove(),
        ]
        if event.customer_name:
            actions += [
                # The name before this update (SET reads the item as it was): the name link
                # moves only when the name changed, not with every message.
                ConversationItem.name_before.set(ConversationItem.customer_name | ""),
                ConversationItem.customer_name.set(event.customer_name),
            ]
        with tolerated() as later_known:
            item.update(actions=actions, condition=ConversationItem.last_message_at <= event.sent_at)
        if later_known.refused:
            return None
        name = (event.customer_name or "").strip()
        if name and name != (item.name_before or "").strip():
            customer_name_link(conversation_id, item.team_id, name, item.created_sk).save()
        refresh_tag_links(conversation_id, item.tags or (), item.activity_sk)
        return to_conversation(item)

    def auto_assign(self, conversation_id: str, agent_id: str, team_id: str,
                    last_assigned: str | None, *, tally: Tally | None = None,
                    story: Message | None = None) -> AutoAssignOutcome:
        """Assign a New conversation as the team's round robin decided, in one transaction with
        the team's round-robin marker: the conversation must still be New, and the marker must
        still name ``last_assigned`` (the agent the decision started from). So two workers of one
        team never decide on the same picture of the team: the second one is told to read again.
        The statistics counters of the assignment (``tally``) move in the same transaction."""
        state = ConversationState.ASSIGNED
        conversation_item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        current = self.get_conversation(conversation_id)
        index_keys = list_keys(state, current.team_id, agent_id)
        marker = RoundRobinItem(keys.team_pk(team_id), keys.ROUND_ROBIN_SK, last_user_id=agent_id)

        def write(transaction: TransactWrite) -> None:
            transaction.save(marker, condition=RoundRobinItem.pk.does_not_exist() if last_assigned is None
                             else RoundRobinItem.last_user_id == last_assigned)
            transaction.update(conversation_item, actions=[
                ConversationItem.state.set(state.value),
                ConversationItem.owner_id.set(agent_id),
                ConversationItem.last_owner_id.set(agent_id),
                *index_key_actions(index_keys),
                ConversationItem.version.add(1),
            ], condition=(ConversationItem.state == ConversationState.NEW.value)
                & (ConversationItem.team_id == team_id))
            count_in(transaction, tally)
            if story is not None:  # "Assigned to ... automatically", with the assignment
                transaction.save(system_line_item(story))

        try:
            with conditional():
                commit(self._conn(), write)
        except ConditionFailed as failure:
            # Sent as: the marker (a put), then the conversation and the counters (updates).
            if failure.failed_at(1):
                return AutoAssignOutcome.TAKEN
            if failure.failed_at(0):
                return AutoAssignOutcome.TEAM_MOVED
            raise
        return AutoAssignOutcome.ASSIGNED

    def waiting(self, team_id: str, *, page_size: int = 25) -> Iterator[Conversation]:
        """The team's New conversations, the longest waiting first (Query on the New list,
        paged lazily: the caller stops reading when no agent can take more)."""
        results: ResultIterator[ConversationItem] = ConversationItem.state_created.query(
            keys.state_list_pk(team_id, ConversationState.NEW.value), scan_index_forward=True, page_size=page_size)
        for item in results:
            yield to_conversation(item)

    def assigned_count(self, owner_id: str, team_ids: Iterable[str]) -> int:
        """How many conversations are assigned to this agent in these teams (their Assigned-to-me
        lists, one per team: a Count Query on the owner index each)."""
        return sum(int(ConversationItem.owner_created.count(keys.owner_list_pk(team_id, owner_id)))
                   for team_id in dict.fromkeys(team_ids))


def refresh_tag_links(conversation_id: str, tags: Iterable[str], activity_sk: str) -> None:
    """Carry the conversation's new last-message key to its tag links (the tags the conversation
    item lists, so no Query), so a tag's list sorts by last message too: a tag may be on a large
    part of the team's conversations, too many to sort when read. A link whose key is already
    newer, or that went meanwhile (an untag), is left alone."""
    for tag in tags:
        link = ConversationLinkItem(keys.conversation_pk(conversation_id), keys.tag_link_sk(tag))
        with tolerated():
            link.update(actions=[ConversationLinkItem.activity_sk.set(activity_sk)],
                        condition=ConversationLinkItem.pk.exists() & (ConversationLinkItem.activity_sk < activity_sk))


def _put_all(items: Sequence[TableItem]) -> None:
    """Plain puts of several items in one BatchWriteItem (25 a request; PynamoDB sends what
    DynamoDB leaves unprocessed again)."""
    if not items:
        return
    with TableItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def _claimed_message_stored(claim: ProviderMessageItem) -> bool:
    """Whether the message a provider-id claim names is stored (a strongly consistent read)."""
    return bool(MessageItem.count(keys.conversation_pk(claim.conversation_id), MessageItem.sk == claim.message_sk,
                                  consistent_read=True))
