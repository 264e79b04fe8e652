"""Push to the agents' browsers over the WebSocket API: who is connected (``PushConnections``,
called by ``$connect``, ``$disconnect`` and messages) and the worker that sends each batch of
notices to the connections of the teams concerned (``PushFanOut``).

A connection belongs to one user acting in one team, authenticated at ``$connect`` by the same ID
token check and the same team rule as every API request: a rejected token never gets a connection,
and a notice reaches only the connections of the conversation's own team. The socket is also the
presence signal: connecting and the heartbeat messages count as the API heartbeat did, and a user
whose last connection in a team closed counts as offline there after a short grace.

Each tab also says what it shows (its list's view and the conversation open in its thread pane), so
a notice is posted only to the connections it can concern (``concerns``): a follow-up, a reply, a
status, tags or a note no longer cost a WebSocket message per tab of the team, only a conversation
that moves does (every tab's counts change). What a tab says only narrows what it is sent: what a
notice carries (notices.py) is what any member of the team may read.

Access is withdrawn from open sockets as from requests: when an administrator disables a user or
takes a team from them (``withdraw_push``, called by ``users_admin``), their connections in every
team they may no longer act in are removed at once, and the fan-out, which reads the stored
connections (the ``TeamConnections`` port), posts to them no more (API Gateway would keep the socket
open for up to two hours).
A heartbeat rereads the user too, and a refused one removes its connection.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import utc_now
from chalicelib.domain.errors import Forbidden, InvalidInput, Unauthenticated

from .counts import TabCountsOut
from .identity import ACCOUNT_WIDE_ROLES, Principal, may_act_in, principal_for
from .models import ConversationState, Role
from .notices import Notice, NoticePublisher, NoticeType
from .ports.push import (
    Connection,
    ConnectionGateway,
    Connections,
    TabView,
    TeamConnections,
    TeamCounts,
    UserConnections,
    Watch,
)
from .work_models import AVAILABILITIES

if TYPE_CHECKING:
    from .models import User
    from .presence import PresenceService

log = logging.getLogger(__name__)

# The subprotocol the web app asks for; its token travels as the second offered subprotocol, so it
# never appears in a URL (nor in access logs that record URLs).
PROTOCOL = "open-contact.v1"
# Posts in flight at once per worker invocation: 1,000 connections take about 1000/32 round trips.
FAN_OUT_THREADS = 32
# API Gateway bills a WebSocket message per 32 KB started (and takes at most 128 KB): a connection's
# notices of one batch go in as few posts as keep each within 32 KB (one notice is far less).
POST_BYTES = 32 * 1024
HEARTBEAT_ACTION = "heartbeat"
# How long after $connect a post answered "gone" may only mean the connection is not open yet.
CONNECTING_GRACE = timedelta(seconds=30)
VIEW_ACTION = "view"
# The fields each message may carry: the heartbeat repeats what the tab shows, so a lost "view"
# message is repaired within a minute.
_FIELDS = {HEARTBEAT_ACTION: frozenset({"action", "availability", "view", "conversation_id"}),
           VIEW_ACTION: frozenset({"action", "view", "conversation_id"})}
_VIEWS = tuple(view.value for view in TabView)
# The shape of a conversation id (ids.new_conversation_id): checked, though it only steers notices.
_CONVERSATION_ID = re.compile(r"[0-9a-f]{32}")


def token_of(protocol_header: str | None) -> str:
    """The ID token from ``Sec-WebSocket-Protocol: open-contact.v1, <token>``."""
    offered = [part.strip() for part in (protocol_header or "").split(",") if part.strip()]
    if PROTOCOL not in offered:
        raise Unauthenticated(f"Sec-WebSocket-Protocol must offer {PROTOCOL} and the ID token",
                              field="Sec-WebSocket-Protocol")
    tokens = [part for part in offered if part != PROTOCOL]
    if len(tokens) != 1:
        raise Unauthenticated("Sec-WebSocket-Protocol must carry exactly one ID token", field="Sec-WebSocket-Protocol")
    return tokens[0]


def watch_in(message: dict[str, Any], required: bool) -> Watch | None:
    """What a tab says it shows, checked field by field; None when the message does not say."""
    if "view" not in message:
        if required or "conversation_id" in message:
            raise InvalidInput("view is required (with conversation_id)", field="view")
        return None
    view = message["view"]
    if not isinstance(view, str) or view not in _VIEWS:
        raise InvalidInput(f"view must be one of {', '.join(_VIEWS)}", field="view")
    conversation_id = message.get("conversation_id")
    if conversation_id is not None and not (isinstance(conversation_id, str)
                                            and _CONVERSATION_ID.fullmatch(conversation_id)):
        raise InvalidInput("conversation_id must be a conversation's id (32 hexadecimal digits) or null",
                           field="conversation_id")
    return Watch(TabView(view), conversation_id)


def _action_of(body: str | None) -> tuple[str, dict[str, Any]]:
    try:
        action = json.loads(body or "null")
    except ValueError as error:
        raise InvalidInput("a message must be JSON", field="body") from error
    if not isinstance(action, dict) or action.get("action") not in _FIELDS:
        raise InvalidInput(f'action must be "{HEARTBEAT_ACTION}" or "{VIEW_ACTION}"', field="action")
    kind: str = action["action"]
    unknown = sorted(set(action) - _FIELDS[kind])
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a field of {kind}", field=unknown[0])
    return kind, action


class PushConnections:
    def __init__(self, store: Connections, subject: Callable[[str], str],
                 user: Callable[[str], User | None], team_exists: Callable[[str], bool],
                 presence: PresenceService, notices: NoticePublisher, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._subject = subject
        self._user = user
        self._team_exists = team_exists
        self._presence = presence
        self._notices = notices
        self._clock = clock

    def connect(self, connection_id: str, protocol_header: str | None, team: str | None) -> Principal:
        """Authenticate and store a new connection; raises (and stores nothing) when refused."""
        user_id = self._subject("Bearer " + token_of(protocol_header))
        principal = principal_for(self._user(user_id), team, self._team_exists)
        self._store.add(Connection(connection_id, principal.id, principal.team_id), self._clock())
        self._presence.keep_alive(principal)
        self._notices.presence_changed([principal.team_id], principal.id)
        return principal

    def message(self, connection_id: str, body: str | None) -> None:
        """A message from the browser. ``view``: what the tab shows now (its list's view and open
        conversation), stored on the connection. ``heartbeat``: keeps the user online, with the
        availability they chose (Available, Away, Offline; absent: the one they chose last), and
        repeats what the tab shows (stored only when it differs). The heartbeat is the web app's
        only presence signal while the socket is up: no API call."""
        kind, action = _action_of(body)
        watch = watch_in(action, required=kind == VIEW_ACTION)
        status = action.get("availability")
        if status is not None and status not in AVAILABILITIES:
            raise InvalidInput(f"availability must be one of {', '.join(AVAILABILITIES)}", field="availability")
        connection = self._store.get(connection_id)
        if connection is None:
            raise Unauthenticated("this connection is not registered")
        if kind == VIEW_ACTION and watch is not None:  # (a view message without one was refused above)
            self._store.set_watch(connection, watch)
            return
        # The user is read again: a user disabled or taken out of the team since connecting stops
        # counting as online, and the connection goes, so no notice reaches it any more (withdraw_push
        # removed it at once; this catches one it missed, within a heartbeat).
        try:
            principal = principal_for(self._user(connection.user_id), connection.team_id, self._team_exists)
        except (Forbidden, Unauthenticated):
            self._store.remove(connection)
            raise
        if self._presence.keep_alive(principal, status):
            # Colleagues' team views show who is Available, Away or Offline.
            self._notices.presence_changed(principal.user.team_ids, principal.id)
        if watch is not None and self._store.watch_of(connection) != watch:
            self._store.set_watch(connection, watch)

    def disconnect(self, connection_id: str) -> None:
        connection = self._store.get(connection_id)
        if connection is None:
            return
        self._store.remove(connection)
        if not self._store.of_user(connection.team_id, connection.user_id):
            self._presence.went_away(connection.team_id, connection.user_id)
            self._notices.presence_changed([connection.team_id], connection.user_id)


def may_have_lost_teams(before: User, after: User) -> bool:
    """Whether a change of the user's role or teams can have taken a team from them (if not, their
    connections need not be read): disabled; or now limited to their own teams, having had every
    team before (an account-wide role) or a team they no longer have."""
    if after.role is Role.DISABLED:
        return True
    if after.role in ACCOUNT_WIDE_ROLES:
        return False
    return before.role in ACCOUNT_WIDE_ROLES or not set(before.team_ids) <= set(after.team_ids)


def withdraw_push(connections: UserConnections, before: User, after: User,
                  team_exists: Callable[[str], bool]) -> list[Connection]:
    """Remove the user's connections in every team the change from ``before`` to ``after`` left them
    unable to act in (the rule of ``$connect``: ``principal_for``); a connection of a team they may
    still act in stays. One Query of the user's connections, and only when a team may have been lost."""
    if not may_have_lost_teams(before, after):
        return []
    withdrawn = [connection for connection in connections.all_of_user(after.id)
                 if not may_act_in(after, connection.team_id, team_exists)]
    for connection in withdrawn:
        connections.remove(connection)
    return withdrawn


@dataclass(frozen=True)
class Place:
    """Where a conversation is: its team, its tab (state) and who has it (None: nobody)."""

    team_id: str
    state: ConversationState
    owner_id: str | None = None


class Reach(StrEnum):
    """Which tabs of the team a notice can concern, whatever they show."""

    # every tab: a conversation that moved changes every tab's counts, New list and notifications;
    # the team view shows who is online; news in New (or a message that does not say where it is)
    # may be an arrival that every tab's watcher notifies
    TEAM = "team"
    # the owner's tabs, the thread open on it, and the lists that can show the conversation
    LISTS = "lists"
    # the owner's tabs and the thread open on it: a status or a note changes only the thread
    THREAD = "thread"


def reach_of(notice: Notice) -> Reach:
    if notice.type in (NoticeType.CONVERSATION, NoticeType.PRESENCE) or (
            notice.type is NoticeType.MESSAGE and notice.state in (None, ConversationState.NEW)):
        return Reach.TEAM
    return Reach.LISTS if notice.type in (NoticeType.MESSAGE, NoticeType.TAGS) else Reach.THREAD


def lists(view: TabView, place: Place, user_id: str) -> bool:
    """Whether a tab's list in ``view`` can show a conversation where ``place`` says it is."""
    if view in (TabView.ALL, TabView.FILTERED):
        return True
    if view is TabView.NEW:
        return place.state is ConversationState.NEW
    if view is TabView.ASSIGNED:
        return place.state is ConversationState.ASSIGNED
    if view is TabView.MINE:
        return place.state is ConversationState.ASSIGNED and place.owner_id == user_id
    return False


def concerns(notice: Notice, place: Place | None, connection: Connection) -> bool:
    """Whether a notice can change what a connection's tab shows, decided as the web app decides
    what to do with it (frontend/src/lib/push.ts: ``touchesList``, ``mayBeArrival``, the open
    thread), erring towards sending. ``place``: where the notice's conversation is (None: unknown)."""
    watch = connection.watch
    reach = reach_of(notice)
    if reach is Reach.TEAM or watch is None or place is None or notice.conversation_id is None:
        return True  # see Reach.TEAM; a tab that never said what it shows; a conversation not found
    if connection.user_id == place.owner_id or watch.conversation_id == notice.conversation_id:
        return True  # the owner's tabs (Assigned to me, its notifications) and the thread open on it
    return reach is Reach.LISTS and lists(watch.view, place, connection.user_id)


@dataclass(frozen=True)
class FanOutReport:
    teams: int
    connections: int
    sent: int
    gone: int
    failed: int
    # Connections of the teams concerned that no notice of the batch could concern: not posted to.
    spared: int = 0


def _counts_for(counts: TeamCounts, user_id: str) -> dict[str, int]:
    return TabCountsOut.of(counts, user_id).model_dump()


def posts_of(notices: Sequence[bytes], counts: dict[str, int] | None) -> list[bytes]:
    """The posts that carry a connection's notices (each already JSON) in their order: as few as
    keep each post within ``POST_BYTES`` (a notice larger than that alone), each with the tab
    counts when the batch moved a conversation (they are totals, so every post may carry them)."""
    tail = b"]" + (b',"counts":' + json.dumps(counts).encode() if counts is not None else b"") + b"}"
    head = b'{"notices":['
    posts: list[bytes] = []
    chunk: list[bytes] = []
    size = len(head) + len(tail)
    for notice in notices:
        if chunk and size + 1 + len(notice) > POST_BYTES:
            posts.append(head + b",".join(chunk) + tail)
            chunk, size = [], len(head) + len(tail)
        size += len(notice) + (1 if chunk else 0)
        chunk.append(notice)
    if chunk:
        posts.append(head + b",".join(chunk) + tail)
    return posts


class PushFanOut:
    """Sends a batch of notices: per team, one read of its connections (and, when a conversation
    moved, one read of its counts), then one post per connection that a notice of the batch
    concerns, carrying those notices (more than one only past ``POST_BYTES``), posted by a
    bounded pool of threads. A notice about a
    conversation that does not say where it is (a status names only the conversation) costs one
    read of the conversation per batch. Gone connections are removed."""

    def __init__(self, connections: TeamConnections, gateway: ConnectionGateway,
                 place_of: Callable[[str], Place | None], counts: Callable[[str], TeamCounts],
                 threads: int = FAN_OUT_THREADS, clock: Callable[[], datetime] = utc_now) -> None:
        self._connections = connections
        self._gateway = gateway
        self._place_of = place_of
        self._counts = counts
        self._threads = threads
        self._clock = clock

    def _really_gone(self, connection: Connection) -> bool:
        """A post answered "gone" (410) means the tab left, except while its $connect is still
        running: API Gateway refuses posts to a connection until $connect has returned, and the
        connection is stored during $connect. Removing it then would leave an open tab that
        never hears a notice again, so a connection younger than ``CONNECTING_GRACE`` stays
        (a tab that really left is removed by its $disconnect)."""
        return connection.connected_at is None or self._clock() - connection.connected_at >= CONNECTING_GRACE

    @cached_property
    def _pool(self) -> ThreadPoolExecutor:
        # One pool per container, reused by every invocation.
        return ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="push")

    def _placed(self, notices: Sequence[Notice]) -> dict[str, list[tuple[Notice, Place | None]]]:
        """The notices by team, each with where its conversation is: as the notice says, or read
        (once per conversation) when it does not say and it matters."""
        read: dict[str, Place | None] = {}
        by_team: dict[str, list[tuple[Notice, Place | None]]] = defaultdict(list)
        for notice in notices:
            conversation_id = notice.conversation_id
            place: Place | None = None
            if conversation_id is not None and notice.team_id is not None and notice.state is not None:
                place = Place(notice.team_id, notice.state, notice.owner_id)
            elif conversation_id is not None and (notice.team_id is None or reach_of(notice) is not Reach.TEAM):
                if conversation_id not in read:
                    read[conversation_id] = self._place_of(conversation_id)
                place = read[conversation_id]
            team_id = notice.team_id or (place.team_id if place else None)
            if team_id is None:
                # (without the conversation: customer content stays out of the logs)
                log.info("notice about nothing that still exists dropped",
                         extra={"notice": notice.model_dump(exclude={"conversation"})})
                continue
            by_team[team_id].append((notice, place))
        return by_team

    def deliver(self, notices: Sequence[Notice]) -> FanOutReport:
        by_team = self._placed(notices)
        results: list[tuple[Connection, bool | None]] = []
        spared = 0
        for team_id, team_notices in by_team.items():
            connections = self._connections.of_team(team_id)
            if not connections:
                continue
            moved = any(notice.type is NoticeType.CONVERSATION for notice, _ in team_notices)
            counts = self._counts(team_id) if moved else None
            # Each notice as JSON once, whatever the number of connections it goes to.
            wire = [(notice, place, json.dumps(notice.wire()).encode()) for notice, place in team_notices]
            chosen = [(connection, [body for notice, place, body in wire if concerns(notice, place, connection)])
                      for connection in connections]
            spared += sum(1 for _, bodies in chosen if not bodies)

            def post(choice: tuple[Connection, list[bytes]],
                     counts: TeamCounts | None = counts) -> tuple[Connection, bool | None]:
                connection, bodies = choice
                tab_counts = _counts_for(counts, connection.user_id) if counts is not None else None
                try:
                    delivered: bool | None = True
                    for body in posts_of(bodies, tab_counts):
                        delivered = self._gateway.post(connection.connection_id, body)
                        if not delivered:
                            break  # gone: the rest would be too
                    return connection, delivered
                except Exception:
                    log.exception("push to a connection failed", extra={"connection_id": connection.connection_id})
                    return connection, None

            results.extend(self._pool.map(post, [choice for choice in chosen if choice[1]]))
        gone = [connection for connection, delivered in results if delivered is False]
        for connection in filter(self._really_gone, gone):
            self._connections.remove(connection)
        return FanOutReport(teams=len(by_team), connections=len(results),
                            sent=sum(1 for _, delivered in results if delivered), gone=len(gone),
                            failed=sum(1 for _, delivered in results if delivered is None), spared=spared)
