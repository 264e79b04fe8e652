"""Where a reply can go: the routes of a conversation (channel, channel account, the customer's id
there) and which one the next reply takes.

A conversation has its own route; with one open conversation per customer
(``one_open_conversation``) a customer who writes on another channel joins it, and each of their
messages names the route it came on. A reply goes out on the route of the customer message it
answers (``reply_to``) or, without one, of the customer's latest message (``compose.Composer``).
The routes are read from the thread's latest ``ROUTE_SCAN`` messages: for each, its latest
customer message (what a reply names as ``reply_to`` to go there), its reply window and whether
the address opted out, so the web app shows where the next reply goes and lets the agent choose
before writing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .customers import address_for
from .identity import Principal, require_team_member
from .models import Channel, Conversation, Direction, Frozen, Message
from .window import window_state

if TYPE_CHECKING:
    from .ports.conversations import ConversationRepository
    from .ports.customers import ConsentLedger
    from .ports.directory import ChannelAccounts

# Messages read (newest first) to find the routes of a conversation.
ROUTE_SCAN = 100


class ReplyRoute(Frozen):
    channel: Channel
    account_id: str
    account_name: str | None = None
    # The customer's id on the channel (a phone number in E.164, an email address, an app's user id).
    customer_id: str
    # The latest customer message on this route: a reply naming it as reply_to goes here. None for
    # the conversation's own route when the customer has not written on it (an agent started it).
    reply_to: str | None = None
    last_customer_message_at: datetime | None = None
    window_open: bool
    window_closes_at: datetime | None = None
    needs_template: bool = False
    opted_out: bool = False
    opted_out_at: datetime | None = None
    # Where a reply without reply_to goes: the route of the customer's latest message.
    next: bool = False


RouteKey = tuple[Channel, str, str]


def route_of(conversation: Conversation, message: Message) -> RouteKey:
    """The route a message came or went on: its own when it names one, else the conversation's."""
    if message.channel is None or message.account_id is None or message.customer_id is None:
        return conversation.channel, conversation.account_id, conversation.customer_id
    return message.channel, message.account_id, message.customer_id


class ReplyRoutes:
    def __init__(self, repository: ConversationRepository, clock: Callable[[], datetime], *,
                 accounts: ChannelAccounts, consent: ConsentLedger | None = None) -> None:
        self._repository = repository
        self._clock = clock
        self._accounts = accounts
        self._consent = consent

    def routes(self, principal: Principal, conversation_id: str) -> list[ReplyRoute]:
        """The conversation's routes, the one the next reply takes first, then by their latest
        customer message, newest first."""
        conversation = self._repository.get_conversation(conversation_id)
        require_team_member(principal, conversation)
        page = self._repository.list_messages(conversation_id, limit=ROUTE_SCAN, cursor=None, newest_first=True)
        latest: dict[RouteKey, Message | None] = {}
        for message in page.items:
            if message.direction is Direction.INBOUND:
                latest.setdefault(route_of(conversation, message), message)
        own = (conversation.channel, conversation.account_id, conversation.customer_id)
        latest.setdefault(own, None)
        now = self._clock()
        return [self._route(conversation, key, message, now, next_=index == 0)
                for index, (key, message) in enumerate(latest.items())]

    def _route(self, conversation: Conversation, key: RouteKey, message: Message | None, now: datetime, *,
               next_: bool) -> ReplyRoute:
        channel, account_id, customer_id = key
        # The conversation's own route without a message in view keeps the conversation's time.
        last = message.sent_at if message is not None else (
            conversation.last_customer_message_at if key == (conversation.channel, conversation.account_id,
                                                             conversation.customer_id) else None)
        routed = conversation.model_copy(update={"channel": channel, "account_id": account_id,
                                                 "customer_id": customer_id, "last_customer_message_at": last})
        window = window_state(routed, now)
        consent = (self._consent.state(channel, address_for(channel, customer_id, account_id=account_id).value)
                   if self._consent is not None else None)
        account = self._accounts.cached(account_id)
        return ReplyRoute(channel=channel, account_id=account_id, account_name=account.name if account else None,
                          customer_id=customer_id, reply_to=message.id if message is not None else None,
                          last_customer_message_at=last, window_open=window.open, window_closes_at=window.closes_at,
                          needs_template=window.needs_template, opted_out=bool(consent and consent.opted_out),
                          opted_out_at=consent.changed_at if consent and consent.opted_out else None, next=next_)
