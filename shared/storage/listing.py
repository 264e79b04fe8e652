"""Conversation lists with filters: one Query on one index per page, never a Scan.

``plan`` picks the index whose key is the most selective criterion the request carries; the
time span is the key condition on the index's sort key. The remaining criteria are checked on
each conversation read, and a page reads at most ``READ_BUDGET_FACTOR`` x limit items: a page
may come back short (even empty) with a cursor, but its cost never depends on how many
conversations the table holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Conversation, ConversationState, Page
from chalicelib.domain.ports.push import COUNT_LIMIT
from chalicelib.domain.search import Criteria, SortField, matches
from chalicelib.domain.waiting import Clocks, TeamWorkload, load_of, waiting_order
from pynamodb.exceptions import QueryError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import Index
from pynamodb.pagination import ResultIterator

from . import keys
from .conversation_items import conversations_by_keys, read_conversations, to_conversation
from .items import ConversationItem, ConversationLinkItem
from .paging import decode_cursor, encode_cursor

_T = TypeVar("_T")
READ_BUDGET_FACTOR = 5
MAX_ROUNDS = 5
# A list sorted by waiting time, or a customer's by last message, is read whole up to this many
# conversations (as the tab counts are) and sorted when read.
WHOLE_READ_LIMIT = COUNT_LIMIT + 1
IndexName = Literal["lookup", "owner", "state", "team"]


@dataclass(frozen=True)
class ListPlan:
    """Which index a list reads and under which partition key."""

    index: IndexName
    partition: str


def _one(values: tuple[_T, ...]) -> _T | None:
    """The value of a single-valued filter: only one value can be a partition key of a Query."""
    return values[0] if len(values) == 1 else None


def plan(criteria: Criteria) -> ListPlan:
    """The most selective single-valued key the criteria offer: an exact customer or a tag
    (lookup links), then one agent's conversations, then the small New/Assigned lists, then the
    state, and the whole team last. A channel or an agent of the All tab (the conversations an
    agent has or last had) has no index of its own, and a filter with several values (channels
    WhatsApp and SMS, two tags) is not a key: each is checked on each conversation read, within
    the page's read budget, like the other criteria."""
    team = criteria.team_id
    tag, owner = _one(criteria.tags), _one(criteria.owner_ids)
    state = _one(criteria.states)
    if criteria.customer is not None:
        return ListPlan("lookup", keys.customer_lookup_pk(team, criteria.customer))
    if tag is not None:
        return ListPlan("lookup", keys.tag_lookup_pk(team, tag))
    if owner is not None:
        return ListPlan("owner", keys.owner_list_pk(team, owner))
    if state is not None:
        return ListPlan("state", keys.state_list_pk(team, state.value))
    return ListPlan("team", keys.team_list_pk(team))


def _conversation_index(name: IndexName, sort: SortField) -> Index[ConversationItem]:
    """The index of a list and sort; the team's by last message has none (``MergedStates``)."""
    indexes: dict[tuple[str, SortField], Index[ConversationItem]] = {
        ("owner", "created"): ConversationItem.owner_created, ("owner", "activity"): ConversationItem.owner_activity,
        ("state", "created"): ConversationItem.state_created, ("state", "activity"): ConversationItem.state_activity,
        ("team", "created"): ConversationItem.team_created,
    }
    return indexes[(name, sort)]


def _span_condition(criteria: Criteria, sort: SortField, *, links: bool) -> Condition | None:
    """[since, until) on the sort key: keys are '<UTC time>#<id>', so '<since>' sorts before
    every key at or after since, and '<until>' after every key before until."""
    if links:
        attribute = ConversationLinkItem.created_sk if sort == "created" else ConversationLinkItem.activity_sk
    else:
        attribute = ConversationItem.created_sk if sort == "created" else ConversationItem.activity_sk
    low = keys.time_key(criteria.since) if criteria.since else None
    high = keys.time_key(criteria.until) if criteria.until else None
    if low and high:
        return attribute.between(low, high)
    if low:
        return attribute >= low
    if high:
        return attribute < high
    return None


class ConversationLists:
    def page(self, criteria: Criteria, *, sort: SortField, ascending: bool, limit: int,
             cursor: str | None) -> Page[Conversation]:
        if criteria.conversation_id is not None:
            return self._by_id(criteria, sort)
        if sort == "waiting":
            return self._by_waiting(criteria, ascending=ascending, limit=limit, cursor=cursor)
        chosen = plan(criteria)
        if criteria.customer is not None and sort == "activity":
            return self._customer_by_activity(chosen, criteria, ascending=ascending, limit=limit, cursor=cursor)
        if chosen.index == "team" and sort == "activity":
            return MergedStates(criteria, ascending=ascending).page(limit, cursor)
        matched: list[Conversation] = []
        last_key = decode_cursor(cursor)
        read = 0
        for _ in range(MAX_ROUNDS):
            results, conversations = self._round(chosen, criteria, sort=sort, ascending=ascending,
                                                 limit=limit - len(matched), last_key=last_key)
            read += len(conversations)
            matched.extend(c for c in conversations if matches(c, criteria, sort))
            last_key = results.last_evaluated_key
            if not last_key or len(matched) >= limit or read >= READ_BUDGET_FACTOR * limit:
                break
        return Page[Conversation](items=matched, next_cursor=encode_cursor(last_key))

    def _round(self, chosen: ListPlan, criteria: Criteria, *, sort: SortField, ascending: bool, limit: int,
               last_key: dict[str, Any] | None) -> tuple[ResultIterator[Any], list[Conversation]]:
        links = chosen.index == "lookup"
        condition = _span_condition(criteria, sort, links=links)
        try:
            if links:
                link_index = (ConversationLinkItem.lookup_created if sort == "created"
                              else ConversationLinkItem.lookup_activity)
                link_results = link_index.query(chosen.partition, range_key_condition=condition,
                                                scan_index_forward=ascending, limit=limit,
                                                last_evaluated_key=last_key)
                return link_results, _hydrate([link.conversation_id for link in link_results])
            index = _conversation_index(chosen.index, sort)
            results = index.query(chosen.partition, range_key_condition=condition, scan_index_forward=ascending,
                                  limit=limit, last_evaluated_key=last_key)
            return results, read_conversations(index, results)
        except QueryError as error:
            raise InvalidInput("cursor does not belong to this list", field="cursor") from error

    def _by_waiting(self, criteria: Criteria, *, ascending: bool, limit: int,
                    cursor: str | None) -> Page[Conversation]:
        """The open conversations of the list, longest waiting first (``ascending``; else the
        shortest). No index sorts by waiting time, so the list is read whole, as the tab counts
        read it (up to ``WHOLE_READ_LIMIT`` conversations, one paged Query), and sorted here;
        the cursor is the offset into that order. Only for open lists (New, Assigned, mine),
        which stay short: a team's open work, not its history."""
        if not criteria.open_only:
            raise InvalidInput("sorting by waiting time is for open conversations: the new, mine and assigned "
                               "tabs, or the all tab filtered to new or assigned", field="sort")
        matched = self._whole(plan(criteria), criteria, span_sort="created", oldest_first=True)
        matched.sort(key=waiting_order, reverse=not ascending)
        return _slice(matched, limit, cursor)

    def _customer_by_activity(self, chosen: ListPlan, criteria: Criteria, *, ascending: bool, limit: int,
                              cursor: str | None) -> Page[Conversation]:
        """A customer's conversations by last message: their links carry no activity key (a
        message would move two of them, issue 19), so their newest ``WHOLE_READ_LIMIT``
        conversations by creation are read (usually one Query and one BatchGet: a customer has
        a handful) and sorted here; the cursor is the offset into that order."""
        matched = self._whole(chosen, criteria, span_sort="activity", oldest_first=False)
        matched.sort(key=lambda conversation: keys.time_sk(conversation.last_message_at, conversation.id),
                     reverse=not ascending)
        return _slice(matched, limit, cursor)

    def _whole(self, chosen: ListPlan, criteria: Criteria, *, span_sort: SortField,
               oldest_first: bool) -> list[Conversation]:
        """The list's conversations that match, read by creation up to ``WHOLE_READ_LIMIT``."""
        matched: list[Conversation] = []
        last_key: dict[str, Any] | None = None
        read = 0
        while read < WHOLE_READ_LIMIT:
            results, conversations = self._round(chosen, criteria if span_sort == "created" else _no_span(criteria),
                                                 sort="created", ascending=oldest_first,
                                                 limit=min(100, WHOLE_READ_LIMIT - read), last_key=last_key)
            read += len(conversations)
            matched.extend(c for c in conversations if matches(c, criteria, span_sort))
            last_key = results.last_evaluated_key
            if not last_key:
                break
        return matched

    @staticmethod
    def _by_id(criteria: Criteria, sort: SortField) -> Page[Conversation]:
        assert criteria.conversation_id is not None
        try:
            item = ConversationItem.get(keys.conversation_pk(criteria.conversation_id), keys.CONVERSATION_SK)
        except ConversationItem.DoesNotExist:
            return Page[Conversation](items=[], next_cursor=None)
        conversation = to_conversation(item)
        found = [conversation] if matches(conversation, criteria, sort) else []
        return Page[Conversation](items=found, next_cursor=None)


class MergedStates:
    """The team's conversations by last message (the All tab, or several states of it): the
    states' own lists by last message (``state-activity``, keys only) read side by side and merged,
    as no team-wide index sorts by last message (a message moved its key: 2 write units, issue 19).

    A round Queries each state still to read for as many keys as the page still needs, takes the
    ones that come first across the states, and reads those conversations (one BatchGetItem);
    the keys a state returned beyond them are read again next round (keys only: 25 cost 0.5 read
    units). The cursor holds each state's last key taken; a state read to its end leaves it. A page
    is at most three Queries and a BatchGet per round, within the same rounds and read budget as
    a list of one index.
    """

    def __init__(self, criteria: Criteria, *, ascending: bool) -> None:
        self._criteria = criteria
        self._ascending = ascending
        self._states = criteria.states or tuple(ConversationState)
        self._condition = _span_condition(criteria, "activity", links=False)

    def page(self, limit: int, cursor: str | None) -> Page[Conversation]:
        positions = self._positions(cursor)
        matched: list[Conversation] = []
        read = 0
        for _ in range(MAX_ROUNDS):
            taken, positions = self._round(positions, limit - len(matched))
            conversations = conversations_by_keys([(entry.pk, entry.sk) for entry in taken])
            read += len(taken)
            matched.extend(c for c in conversations if matches(c, self._criteria, "activity"))
            if not positions or len(matched) >= limit or read >= READ_BUDGET_FACTOR * limit:
                break
        return Page[Conversation](items=matched,
                                  next_cursor=encode_cursor({"merged": positions}) if positions else None)

    def _round(self, positions: dict[str, dict[str, Any] | None], wanted: int
               ) -> tuple[list[ConversationItem], dict[str, dict[str, Any] | None]]:
        read: dict[str, tuple[list[ConversationItem], bool]] = {}
        for state, start in positions.items():
            try:
                results = ConversationItem.state_activity.query(
                    keys.state_list_pk(self._criteria.team_id, state), range_key_condition=self._condition,
                    scan_index_forward=self._ascending, limit=wanted, last_evaluated_key=start)
                entries = list(results)
            except QueryError as error:
                raise InvalidInput("cursor does not belong to this list", field="cursor") from error
            read[state] = (entries, results.last_evaluated_key is None)
        first = sorted(((entry, state) for state, (entries, _) in read.items() for entry in entries),
                       key=lambda pair: pair[0].activity_sk, reverse=not self._ascending)[:wanted]
        taken_of = Counter(state for _, state in first)
        following: dict[str, dict[str, Any] | None] = {}
        for state, (entries, ended) in read.items():
            count = taken_of[state]
            if ended and count == len(entries):
                continue  # read to its end
            following[state] = self._key_of(entries[count - 1]) if count else positions[state]
        return [entry for entry, _ in first], following

    @staticmethod
    def _key_of(entry: ConversationItem) -> dict[str, Any]:
        """Where a state's Query resumes: the index entry's key, as DynamoDB's LastEvaluatedKey has it."""
        return {"pk": {"S": entry.pk}, "sk": {"S": entry.sk}, "state_pk": {"S": entry.state_pk},
                "activity_sk": {"S": entry.activity_sk}}

    def _positions(self, cursor: str | None) -> dict[str, dict[str, Any] | None]:
        """Each state still to read and the key it resumes after (None: from its start)."""
        if cursor is None:
            return {state.value: None for state in self._states}
        decoded = decode_cursor(cursor) or {}
        positions = decoded.get("merged")
        wanted = {state.value for state in self._states}
        if (set(decoded) != {"merged"} or not isinstance(positions, dict) or not set(positions) <= wanted
                or not all(self._resumes_in(state, start) for state, start in positions.items())):
            raise InvalidInput("cursor does not belong to this list", field="cursor")
        return positions

    def _resumes_in(self, state: str, start: Any) -> bool:
        """Whether a cursor's position is a key of this team's list of ``state`` (or its start)."""
        if start is None:
            return True
        shape = {"pk", "sk", "state_pk", "activity_sk"}
        return (isinstance(start, dict) and set(start) == shape
                and all(isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)
                        for value in start.values())
                and start["state_pk"]["S"] == keys.state_list_pk(self._criteria.team_id, state))


def _no_span(criteria: Criteria) -> Criteria:
    """The criteria without their time span: a span on last message is no key of the creation index."""
    return criteria.model_copy(update={"since": None, "until": None})


def _slice(ordered: list[Conversation], limit: int, cursor: str | None) -> Page[Conversation]:
    """A page of a list sorted when read: ``limit`` from the cursor's offset."""
    offset = _offset(cursor)
    end = offset + limit
    more = end < len(ordered)
    return Page[Conversation](items=ordered[offset:end], next_cursor=encode_cursor({"offset": end}) if more else None)


def _offset(cursor: str | None) -> int:
    """The position a waiting-sorted page starts at (its cursor)."""
    decoded = decode_cursor(cursor)
    if decoded is None:
        return 0
    offset = decoded.get("offset")
    if set(decoded) != {"offset"} or not isinstance(offset, int) or offset < 0:
        raise InvalidInput("cursor does not belong to this list", field="cursor")
    return offset


def _hydrate(conversation_ids: list[str]) -> list[Conversation]:
    """The conversations behind a page of lookup links, in the links' order (one BatchGet)."""
    return conversations_by_keys([(keys.conversation_pk(cid), keys.CONVERSATION_SK) for cid in conversation_ids])


def team_workload(team_id: str) -> TeamWorkload:
    """A team's open work (domain/waiting.py ``TeamWorkload``): the New list and the Assigned list,
    each read up to ``COUNT_LIMIT`` + 1 conversations with only the attributes the overview needs
    (the same reads as the tab counts, storage/connections.py ``team_counts``)."""
    wanted = ["pk", "sk", "kind", "owner_id", "waiting_since", "awaiting_customer_since", "created_at"]
    new = 0
    new_longest: datetime | None = None
    for item in ConversationItem.state_created.query(
            keys.state_list_pk(team_id, ConversationState.NEW.value), limit=COUNT_LIMIT + 1,
            attributes_to_get=wanted):
        new += 1
        since = item.waiting_since or item.created_at
        if since is not None and (new_longest is None or since < new_longest):
            new_longest = since
    owned: dict[str, list[Clocks]] = {}
    for item in ConversationItem.state_created.query(
            keys.state_list_pk(team_id, ConversationState.ASSIGNED.value), limit=COUNT_LIMIT + 1,
            attributes_to_get=wanted):
        if item.owner_id:
            owned.setdefault(item.owner_id, []).append((item.waiting_since, item.awaiting_customer_since))
    return TeamWorkload(new=new, new_longest_waiting_since=new_longest,
                        by_owner={owner: load_of(conversations) for owner, conversations in owned.items()})

