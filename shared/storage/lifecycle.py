"""State changes of a conversation: assign, hand back, archive, reopen, and starting one.

Every change is one transaction: a conditional write on the conversation item, which applies only
to the state and version the caller read (two agents acting at once never both succeed and no
change is lost: the loser gets Conflict and reads again), and the statistics counters the change
moves (storage/statistics.py), which therefore move exactly once per change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.errors import Conflict
from chalicelib.domain.models import Channel, Conversation, ConversationState, Message
from chalicelib.domain.ports.conversations import Tally
from chalicelib.domain.waiting import changes_of
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from . import keys
from .conditions import refused_as, tolerated
from .conversation_items import (
    customer_links,
    deletion_date_actions,
    index_key_actions,
    list_keys,
    system_line_item,
    to_conversation,
)
from .customer_items import CustomerConversationItem
from .customers import CustomerStore, open_marker
from .items import ConversationItem, OpenConversationItem
from .statistics import count_in
from .transact import commit, table_connection


class ConversationStateStore:
    def __init__(self, customers: CustomerStore | None = None) -> None:
        self._customers = customers or CustomerStore()

    def transition(self, current: Conversation, state: ConversationState, *, owner_id: str | None,
                   now: datetime, tally: Tally | None = None, story: Message | None = None,
                   delete_at: str | None = None) -> Conversation:
        """Move ``current`` to ``state`` with ``owner_id`` (None: nobody), provided nobody changed
        it since it was read, and count ``tally`` with it. Returns the conversation as read with
        this change applied.

        Archiving and reopening also keep the customer's open-conversation marker
        (storage/customers.py), in the order that never leaves an open conversation without one:
        put before a reopen, removed after an archive (a marker left by a failure in between only
        costs its reader a look at the conversation's state). Kept out of the update's transaction:
        there the conversation's condition must be the first cancellation reason read (_update)."""
        archiving = state is ConversationState.ARCHIVED and current.state is not ConversationState.ARCHIVED
        reopening = current.state is ConversationState.ARCHIVED and state is not ConversationState.ARCHIVED
        customer_id = self._customers.owner_of_conversation(current) if archiving or reopening else None
        if reopening and customer_id is not None:
            self._customers.mark_open(customer_id, current.id)
        changed = self._update(current, state, owner_id=owner_id, now=now, tally=tally, story=story,
                               delete_at=delete_at)
        if archiving and customer_id is not None:
            self._customers.unmark_open(customer_id, current.id)
        return changed

    def _update(self, current: Conversation, state: ConversationState, *, owner_id: str | None,
                now: datetime, tally: Tally | None, story: Message | None, delete_at: str | None) -> Conversation:
        """The change itself, counted with ``tally`` and told by the system line ``story``; the
        conversation as read, with it applied."""
        last_owner_id = owner_id or current.last_owner_id
        index_keys = list_keys(state, current.team_id, owner_id)
        actions: list[Action] = [
            ConversationItem.state.set(state.value),
            ConversationItem.owner_id.set(owner_id) if owner_id else ConversationItem.owner_id.remove(),
            *index_key_actions(index_keys),
            ConversationItem.version.add(1),
        ]
        if owner_id != current.owner_id:
            # Someone else has it now: they have not seen it yet.
            actions.append(ConversationItem.seen_at.remove())
        if state is ConversationState.ARCHIVED:
            # Closed: nobody waits on anybody any more (a customer who writes again reopens it).
            actions += [ConversationItem.archived_at.set(now), ConversationItem.waiting_since.remove(),
                        ConversationItem.awaiting_customer_since.remove()]
            if delete_at is not None:
                # Its deletion date and its entry in the due index, in this same update: a second
                # update would write the item and its entries with every attribute again.
                actions += deletion_date_actions(current.id, delete_at)
        else:
            # Back in work: no longer archived, and no longer due for deletion.
            actions += [ConversationItem.archived_at.remove(), ConversationItem.delete_at.remove(),
                        ConversationItem.due_pk.remove(), ConversationItem.due_sk.remove()]
        if last_owner_id:
            actions.append(ConversationItem.last_owner_id.set(last_owner_id))
        item = ConversationItem(keys.conversation_pk(current.id), keys.CONVERSATION_SK)

        def write(transaction: TransactWrite) -> None:
            transaction.update(item, actions=actions, condition=(ConversationItem.version == current.version)
                               & (ConversationItem.state == current.state.value))
            count_in(transaction, tally)
            if story is not None:
                transaction.save(system_line_item(story))

        with refused_as(Conflict(f"conversation {current.id} changed meanwhile; read it again and retry")):
            commit(table_connection(), write)
        # The condition held: the item is `current` with exactly these changes.
        return current.model_copy(update=changes_of(current, state, owner_id, now))

    def mark_seen(self, conversation_id: str, owner_id: str, at: datetime) -> bool:
        """The owner looked at the conversation now; False (nothing written) when it is not theirs
        (any more). A look never moves ``seen_at`` back."""
        item = ConversationItem(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
        with tolerated() as refused:
            item.update(actions=[ConversationItem.seen_at.set(at)],
                        condition=ConversationItem.pk.exists() & (ConversationItem.owner_id == owner_id)
                        & (ConversationItem.seen_at.does_not_exist() | (ConversationItem.seen_at < at)))
        return not refused.refused

    def start(self, *, conversation_id: str, channel: Channel, account_id: str, customer_id: str,
              customer_name: str | None, team_id: str, owner_id: str, now: datetime,
              replaces: str | None, profile_id: str | None = None,
              count: Callable[[Conversation], Tally] | None = None) -> Conversation:
        """Open an agent-started conversation, assigned to its agent. ``replaces`` names the
        customer's archived conversation on this account, whose place it takes. ``count``
        tells the statistics counters to move with it."""
        state = ConversationState.ASSIGNED
        index_keys = list_keys(state, team_id, owner_id)
        time_key = keys.time_sk(now, conversation_id)
        item = ConversationItem(
            keys.conversation_pk(conversation_id), keys.CONVERSATION_SK,
            conversation_id=conversation_id, channel=channel.value, account_id=account_id,
            customer_id=customer_id, customer_name=customer_name, team_id=team_id, state=state.value,
            owner_id=owner_id, last_owner_id=owner_id, created_at=now, last_message_at=now,
            last_customer_message_at=None, preview="", version=0, created_sk=time_key, activity_sk=time_key,
            state_pk=index_keys.state_pk, team_pk=index_keys.team_pk, owner_pk=index_keys.owner_pk,
        )
        pointer = OpenConversationItem(keys.open_conversation_pk(account_id, customer_id), "OPEN",
                                       conversation_id=conversation_id)
        conversation = to_conversation(item)

        def write(transaction: TransactWrite) -> None:
            transaction.save(item, condition=ConversationItem.pk.does_not_exist())
            transaction.save(pointer, condition=(OpenConversationItem.conversation_id == replaces) if replaces
                             else OpenConversationItem.pk.does_not_exist())
            for link in customer_links(conversation_id, team_id, customer_id, customer_name, time_key):
                transaction.save(link)
            if profile_id is not None:
                # On the customer's list of conversations, and among their open ones (storage/customers.py).
                transaction.save(CustomerConversationItem(
                    keys.customer_pk(profile_id), keys.customer_conversation_sk(now, conversation_id),
                    conversation_id=conversation_id, channel=channel.value, account_id=account_id,
                    created_at=now))
                transaction.save(open_marker(profile_id, conversation_id))
            count_in(transaction, count(conversation) if count is not None else None)

        with refused_as(Conflict(f"customer {customer_id} got an open conversation on account {account_id} "
                                 "meanwhile", field="customer_id")):
            commit(table_connection(), write)
        return conversation
