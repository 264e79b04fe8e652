"""WebSocket connections of the agents' browsers, and the team counts the push worker sends them.

Two items per connection:

=====================  =============================  ===============================  ================================
item                   pk                             sk                               collection_pk / collection_sk
=====================  =============================  ===============================  ================================
team's connection      PUSH#<team>                    CONN#<user>#<connection id>
connection by id       CONN#<connection id>           CONNECTION                       CONNECTIONS#<user> / <team>#<id>
=====================  =============================  ===============================  ================================

The team's items are what a fan-out reads (one Query of the team's partition); the item by id is
what ``$disconnect`` and a message find (API Gateway gives only the connection id). What the tab
shows (its list's view and its open conversation) is kept on the team's item, since that is the item
the fan-out reads to choose whom a notice concerns: one UpdateItem when the tab says it changed. API Gateway
closes a connection after two hours at most, so both items expire through the table's TTL a little
later, should ``$disconnect`` never arrive (it is not guaranteed).

The item by id also carries the ``collection`` index's keys, so a user's connections in every team
are one Query of that index (``all_of_user``: what withdrawing a disabled user's access reads). That
item is written once and never updated, so the index costs a write when a connection opens and one
when it goes, none per change of what the tab shows (the team's item, updated then, stays out of it).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.models import ConversationState
from chalicelib.domain.ports.push import COUNT_LIMIT, Connection, TabView, TeamCounts, Watch
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex

from . import keys
from .conditions import tolerated
from .items import CollectionIndex, ConversationItem, TableItem

# API Gateway's maximum connection duration is 2 hours; the margin covers clock skew and the TTL's lag.
CONNECTION_LIFETIME = timedelta(hours=3)
# Counts stop here: a tab shows "999+" beyond, and no count reads more than this many items.
_CONNECTION_SK = "CONNECTION"
_VIEWS = frozenset(view.value for view in TabView)


def _team_pk(team_id: str) -> str:
    return f"PUSH#{team_id}"


def _team_sk(user_id: str, connection_id: str) -> str:
    return f"CONN#{user_id}#{connection_id}"


def _by_id_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def _user_collection_sk(team_id: str, connection_id: str) -> str:
    return f"{team_id}#{connection_id}"


class TeamConnectionItem(TableItem, discriminator="push_connection"):
    connection_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    team_id = UnicodeAttribute()
    connected_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute()
    # What the tab shows; absent until it first says (an older web app never does).
    watch_view = UnicodeAttribute(null=True)
    watch_conversation_id = UnicodeAttribute(null=True)

    def connection(self) -> Connection:
        watch = (Watch(TabView(self.watch_view), self.watch_conversation_id)
                 if self.watch_view in _VIEWS else None)  # an unknown view: as if none was said
        return Connection(self.connection_id, self.user_id, self.team_id, watch, self.connected_at)


class ConnectionByIdItem(TableItem, discriminator="push_connection_id"):
    user_id = UnicodeAttribute()
    team_id = UnicodeAttribute()
    expires_at = NumberAttribute()
    # The user's connections in every team (absent on an item stored before they were indexed).
    collection_pk = UnicodeAttribute(null=True)
    collection_sk = UnicodeAttribute(null=True)
    collection = CollectionIndex()

    def connection(self) -> Connection:
        return Connection(self.pk.removeprefix("CONN#"), self.user_id, self.team_id)


class ConnectionStore:
    def add(self, connection: Connection, at: datetime) -> None:
        expires_at = int((at + CONNECTION_LIFETIME).timestamp())
        with TableItem.batch_write() as batch:
            batch.save(TeamConnectionItem(
                _team_pk(connection.team_id), _team_sk(connection.user_id, connection.connection_id),
                connection_id=connection.connection_id, user_id=connection.user_id, team_id=connection.team_id,
                connected_at=at, expires_at=expires_at))
            batch.save(ConnectionByIdItem(_by_id_pk(connection.connection_id), _CONNECTION_SK,
                                          user_id=connection.user_id, team_id=connection.team_id,
                                          expires_at=expires_at,
                                          collection_pk=keys.user_connections_pk(connection.user_id),
                                          collection_sk=_user_collection_sk(connection.team_id,
                                                                            connection.connection_id)))

    def get(self, connection_id: str) -> Connection | None:
        try:
            item = ConnectionByIdItem.get(_by_id_pk(connection_id), _CONNECTION_SK, consistent_read=True)
        except ConnectionByIdItem.DoesNotExist:
            return None
        return item.connection()

    def remove(self, connection: Connection) -> None:
        with TableItem.batch_write() as batch:
            batch.delete(TeamConnectionItem(_team_pk(connection.team_id),
                                            _team_sk(connection.user_id, connection.connection_id)))
            batch.delete(ConnectionByIdItem(_by_id_pk(connection.connection_id), _CONNECTION_SK))

    def watch_of(self, connection: Connection) -> Watch | None:
        try:
            item = TeamConnectionItem.get(_team_pk(connection.team_id),
                                          _team_sk(connection.user_id, connection.connection_id))
        except TeamConnectionItem.DoesNotExist:
            return None
        return item.connection().watch

    def set_watch(self, connection: Connection, watch: Watch) -> None:
        item = TeamConnectionItem(_team_pk(connection.team_id), _team_sk(connection.user_id, connection.connection_id))
        actions: list[Any] = [TeamConnectionItem.watch_view.set(watch.view.value)]
        actions.append(TeamConnectionItem.watch_conversation_id.set(watch.conversation_id)
                       if watch.conversation_id else TeamConnectionItem.watch_conversation_id.remove())
        # A connection removed meanwhile ($disconnect, a 410 on send) must not come back as half an item.
        with tolerated():
            item.update(actions=actions, condition=TeamConnectionItem.pk.exists())

    def of_team(self, team_id: str) -> list[Connection]:
        """Every open connection of the team, with what each shows: one Query of its partition (paged
        by PynamoDB)."""
        return [item.connection()
                for item in TeamConnectionItem.query(_team_pk(team_id), TeamConnectionItem.sk.startswith("CONN#"))
                if isinstance(item, TeamConnectionItem)]

    def of_user(self, team_id: str, user_id: str) -> list[Connection]:
        return [item.connection()
                for item in TeamConnectionItem.query(
                    _team_pk(team_id), TeamConnectionItem.sk.startswith(f"CONN#{user_id}#"), consistent_read=True)
                if isinstance(item, TeamConnectionItem)]

    def all_of_user(self, user_id: str) -> list[Connection]:
        """The user's open connections in every team: one Query of the ``collection`` index (paged by
        PynamoDB; eventually consistent, as every index read is)."""
        return [item.connection()
                for item in ConnectionByIdItem.collection.query(keys.user_connections_pk(user_id))
                if isinstance(item, ConnectionByIdItem)]


def team_counts(team_id: str) -> TeamCounts:
    """The tab counts of a team, each read stopping after ``COUNT_LIMIT + 1`` items: New and All
    by counting their lists' keys, Assigned by reading the owners of the assigned conversations
    (which also gives every agent's Assigned-to-me count in the same read)."""
    new = _count_up_to(ConversationItem.state_created, keys.state_list_pk(team_id, ConversationState.NEW.value))
    everything = _count_up_to(ConversationItem.team_created, keys.team_list_pk(team_id))
    owners: Counter[str] = Counter()
    assigned = 0
    for item in ConversationItem.state_created.query(
            keys.state_list_pk(team_id, ConversationState.ASSIGNED.value), limit=COUNT_LIMIT + 1,
            attributes_to_get=["pk", "sk", "kind", "owner_id"]):
        assigned += 1
        if item.owner_id:
            owners[item.owner_id] += 1
    return TeamCounts(new=new, assigned=assigned, all=everything, mine=dict(owners))


def _count_up_to(index: GlobalSecondaryIndex[ConversationItem], hash_key: str) -> int:
    """How many items one partition of ``index`` holds, up to ``COUNT_LIMIT + 1``, reading no more
    keys than that. Not pynamodb's ``count(limit=...)``: its Select=COUNT pages yield no items, so
    its limit never runs out and it reads the whole partition (a team with 50,000 New
    conversations read all their keys on every tab that opened)."""
    return sum(1 for _ in index.query(hash_key, limit=COUNT_LIMIT + 1, attributes_to_get=["pk", "sk", "kind"]))
