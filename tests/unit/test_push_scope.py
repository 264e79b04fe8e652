"""Which connections a notice is posted to: a move or a presence change reaches every tab of the team;
a message, status, tags or note notice reaches only the tabs it can concern (the owner's, the thread
open on the conversation, lists that can show it, tabs that never said what they show). The web
app decides on its side what to do with each notice (frontend/src/lib/push.ts and the hooks that
call it); the server must send at least every notice a tab would act on, which the exhaustive test
below checks against a transcription of those rules, pinned to push.ts's text."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalicelib.domain.errors import InvalidInput, Unauthenticated
from chalicelib.domain.models import ConversationState
from chalicelib.domain.notices import Notice, NoticeType
from chalicelib.domain.ports.push import Connection, TabView, TeamCounts, Watch
from chalicelib.domain.push import Place, PushConnections, PushFanOut, concerns

from tests.unit.test_push_fan_out import FakeConnections, FakeGateway

PUSH_TS = Path(__file__).resolve().parents[2] / "frontend" / "src" / "lib" / "push.ts"
ME, OTHER = "me", "other"
C, ELSEWHERE = "c" * 32, "d" * 32
NEW, ASSIGNED, ARCHIVED = ConversationState.NEW, ConversationState.ASSIGNED, ConversationState.ARCHIVED

# --- the web app's rules, transcribed -----------------------------------------------------------

# The parts of push.ts the transcription follows, as they read when it was written: a change there
# fails this test until the transcription (and, if need be, ``concerns``) follows it.
PINNED = {
    "LIST_CHANGES": "const LIST_CHANGES: ReadonlySet<NoticeType> = new Set(['conversation', 'message', 'tags']);",
    "touchesList": "export function touchesList(notice: Notice, view: InboxView, me: string, "
                   """shown: ReadonlySet<string>): boolean {
  if (!LIST_CHANGES.has(notice.type)) return false;
  if (notice.conversation_id !== undefined && shown.has(notice.conversation_id)) return true;
  if (notice.state === undefined) return notice.type !== 'tags';
  return showsIn(view, notice.state, notice.owner_id, me);
}""",
    "showsIn": "export function showsIn(view: InboxView, state: ConversationState, ownerId: string | null | undefined, "
               """me: string): boolean {
  switch (view) {
    case 'all':
      return true;
    case 'new':
      return state === 'new';
    case 'assigned':
      return state === 'assigned';
    case 'mine':
      return state === 'assigned' && ownerId === me;
  }
}""",
    "mayBeArrival": """export function mayBeArrival(notice: Notice, me: string): boolean {
  if (notice.type !== 'conversation' && notice.type !== 'message') return false;
  return notice.state === undefined || notice.state === 'new' || notice.owner_id === me;
}""",
}


def _source_of(name: str, text: str) -> str:
    if name == "LIST_CHANGES":
        return next(line for line in text.splitlines() if line.startswith("const LIST_CHANGES"))
    start = text.index(f"export function {name}(")
    return text[start:text.index("\n}\n", start) + 2]


def test_the_transcription_follows_the_web_apps_rules_as_they_read_now() -> None:
    text = PUSH_TS.read_text()
    for name, pinned in PINNED.items():
        assert _source_of(name, text) == pinned, f"push.ts's {name} changed: update this transcription"


def touches_list(notice: Notice, view: str, me: str, shown: set[str]) -> bool:
    if notice.type not in (NoticeType.CONVERSATION, NoticeType.MESSAGE, NoticeType.TAGS):
        return False
    if notice.conversation_id is not None and notice.conversation_id in shown:
        return True
    if notice.state is None:
        return notice.type is not NoticeType.TAGS
    return {"all": True, "new": notice.state is NEW, "assigned": notice.state is ASSIGNED,
            "mine": notice.state is ASSIGNED and notice.owner_id == me}[view]


def may_be_arrival(notice: Notice, me: str) -> bool:
    if notice.type not in (NoticeType.CONVERSATION, NoticeType.MESSAGE):
        return False
    return notice.state is None or notice.state is NEW or notice.owner_id == me


@dataclass(frozen=True)
class Tab:
    """A tab as the web app runs it: its list (None: no list on screen), whether filters narrow it,
    the conversation open in its thread pane."""

    user: str
    view: str | None
    filtered: bool
    open: str | None

    def declared(self) -> Watch:
        view = TabView.NONE if self.view is None else TabView.FILTERED if self.filtered else TabView(self.view)
        return Watch(view, self.open)


def shows(view: str, place: Place, me: str) -> bool:
    """Whether a list in ``view`` holds the conversation (lists are read on every move, which every
    tab hears, so a list holds what its view selects)."""
    return {"all": True, "new": place.state is NEW, "assigned": place.state is ASSIGNED,
            "mine": place.state is ASSIGNED and place.owner_id == me}[view]


def tab_acts(tab: Tab, notice: Notice, place: Place) -> bool:
    """Whether the tab does anything with the notice: the always-on inbox watcher (counts, arrivals),
    the list (tags in place, reads), the open thread and its notes."""
    if notice.type is NoticeType.CONVERSATION or may_be_arrival(notice, tab.user):
        return True
    if tab.view is not None:
        shown = {C} if shows(tab.view, place, tab.user) else set()
        if notice.type is NoticeType.TAGS and shown:
            return True  # the row takes the tags in place
        if touches_list(notice, tab.view, tab.user, shown):
            return True
    return tab.open is not None and tab.open == notice.conversation_id


def notices_about(place: Place) -> list[Notice]:
    """Every kind of notice about conversation C, as the server's publishers make them: moves and
    messages say where C is, statuses, tags and notes do not (and a message that does not say)."""
    located = {"team_id": "t", "conversation_id": C, "state": place.state, "owner_id": place.owner_id}
    return [Notice(type=NoticeType.CONVERSATION, **located),
            Notice(type=NoticeType.MESSAGE, message_id="m", **located),
            Notice(type=NoticeType.MESSAGE, team_id="t", conversation_id=C, message_id="m"),
            Notice(type=NoticeType.STATUS, conversation_id=C, message_id="m"),
            Notice(type=NoticeType.TAGS, team_id="t", conversation_id=C, tags=("vip",)),
            Notice(type=NoticeType.NOTE, team_id="t", conversation_id=C)]


PLACES = [Place("t", NEW), Place("t", ASSIGNED, ME), Place("t", ASSIGNED, OTHER),
          Place("t", ARCHIVED, ME), Place("t", ARCHIVED, OTHER), Place("t", ARCHIVED)]
TABS = [Tab(ME, view, filtered, open_)
        for view, filtered, open_ in itertools.product([None, "new", "mine", "assigned", "all"], [False, True],
                                                       [None, C, ELSEWHERE])
        if not (view is None and filtered)]


@pytest.mark.parametrize("place", PLACES, ids=lambda p: f"{p.state.value}-{p.owner_id}")
def test_every_notice_a_tab_would_act_on_is_sent_to_it(place: Place) -> None:
    # For every tab (view x filters x open conversation) and every notice about C where C is:
    for tab, notice in itertools.product(TABS, notices_about(place)):
        connection = Connection("k", tab.user, "t", tab.declared())
        # the server knows where C is: from the notice, or by reading C when the notice does not say
        known = Place("t", notice.state, notice.owner_id) if notice.state is not None else place
        if tab_acts(tab, notice, place):
            assert concerns(notice, known, connection), (tab, notice)


def test_a_follow_up_in_an_assigned_conversation_reaches_its_owner_watchers_and_thread_only() -> None:
    place = Place("t", ASSIGNED, "a")
    message = Notice(type=NoticeType.MESSAGE, team_id="t", conversation_id=C, message_id="m",
                     state=ASSIGNED, owner_id="a")
    reached = {name: concerns(message, place, Connection(name, user, "t", watch)) for name, user, watch in [
        ("owner on Mine", "a", Watch(TabView.MINE)),
        ("owner in Settings", "a", Watch(TabView.NONE)),
        ("supervisor on All", "s", Watch(TabView.ALL)),
        ("agent on Assigned", "b", Watch(TabView.ASSIGNED)),
        ("agent filtering", "b", Watch(TabView.FILTERED)),
        ("agent with it open on New", "b", Watch(TabView.NEW, C)),
        ("older web app", "b", None),
        ("agent on Mine", "b", Watch(TabView.MINE)),
        ("agent on New", "b", Watch(TabView.NEW, ELSEWHERE)),
        ("agent in Settings", "b", Watch(TabView.NONE))]}
    assert [name for name, sent in reached.items() if not sent] == ["agent on Mine", "agent on New",
                                                                     "agent in Settings"]


def test_statuses_and_notes_reach_only_the_owner_and_the_open_thread() -> None:
    place = Place("t", ASSIGNED, "a")
    for kind in (NoticeType.STATUS, NoticeType.NOTE):
        notice = Notice(type=kind, team_id="t", conversation_id=C)
        assert concerns(notice, place, Connection("1", "a", "t", Watch(TabView.NEW)))
        assert concerns(notice, place, Connection("2", "b", "t", Watch(TabView.MINE, C)))
        assert not concerns(notice, place, Connection("3", "s", "t", Watch(TabView.ALL)))


def test_moves_and_presence_reach_every_tab_and_news_in_new_every_tabs_watcher() -> None:
    nobody = Connection("1", "b", "t", Watch(TabView.NONE))
    place = Place("t", NEW)
    assert concerns(Notice(type=NoticeType.CONVERSATION, team_id="t", conversation_id=C, state=NEW), place, nobody)
    assert concerns(Notice(type=NoticeType.PRESENCE, team_id="t", user_id="x"), None, nobody)
    assert concerns(Notice(type=NoticeType.MESSAGE, team_id="t", conversation_id=C, state=NEW), place, nobody)
    assert not concerns(Notice(type=NoticeType.TAGS, team_id="t", conversation_id=C), place, nobody)


# --- the fan-out --------------------------------------------------------------------------------

COUNTS = TeamCounts(new=1, assigned=1, all=2, mine={"a": 1})


def test_each_connection_gets_one_post_with_only_the_notices_that_concern_it() -> None:
    # Given agent A on Mine, agent B on Mine, a supervisor on All, and an older tab that said nothing
    store = FakeConnections([Connection("A", "a", "t", Watch(TabView.MINE)),
                             Connection("B", "b", "t", Watch(TabView.MINE)),
                             Connection("S", "s", "t", Watch(TabView.ALL)), Connection("O", "b", "t")])
    gateway = FakeGateway()
    reads: list[str] = []

    def place_of(conversation_id: str) -> Place | None:
        reads.append(conversation_id)
        return Place("t", ASSIGNED, "a")

    # When a follow-up in A's conversation and two statuses of its messages are delivered together
    report = PushFanOut(store, gateway, place_of, lambda _: COUNTS).deliver([
        Notice(type=NoticeType.MESSAGE, team_id="t", conversation_id=C, message_id="m", state=ASSIGNED,
               owner_id="a"),
        Notice(type=NoticeType.STATUS, conversation_id=C, message_id="r1"),
        Notice(type=NoticeType.STATUS, conversation_id=C, message_id="r2")])
    # Then A and the older tab get all three, the supervisor the message, B nothing
    types = {key: [n["type"] for post in posts for n in post["notices"]]  # type: ignore[attr-defined]
             for key, posts in gateway.posts.items()}
    assert types == {"A": ["message", "status", "status"], "O": ["message", "status", "status"], "S": ["message"]}
    assert all(len(posts) == 1 for posts in gateway.posts.values())
    assert (report.connections, report.sent, report.spared) == (3, 3, 1)
    # And the conversation was read once for both statuses (to find its team, state and owner)
    assert reads == [C]


def test_a_moved_conversation_reaches_every_tab_with_its_counts() -> None:
    store = FakeConnections([Connection("A", "a", "t", Watch(TabView.NONE)),
                             Connection("B", "b", "t", Watch(TabView.NEW))])
    gateway = FakeGateway()
    PushFanOut(store, gateway, lambda _: pytest.fail("read"), lambda _: COUNTS).deliver(
        [Notice(type=NoticeType.CONVERSATION, team_id="t", conversation_id=C, state=ASSIGNED, owner_id="a")])
    assert sorted(gateway.posts) == ["A", "B"]
    assert gateway.posts["A"][0]["counts"]["mine"] == 1  # type: ignore[index]


# --- what the browser says it shows -------------------------------------------------------------


class FakeStore:
    def __init__(self) -> None:
        self.connection = Connection("k", "u", "t")
        self.watches: list[Watch] = []

    def get(self, connection_id: str) -> Connection | None:
        return self.connection if connection_id == "k" else None

    def watch_of(self, connection: Connection) -> Watch | None:
        return self.watches[-1] if self.watches else None

    def set_watch(self, connection: Connection, watch: Watch) -> None:
        self.watches.append(watch)


class FakePresence:
    def keep_alive(self, principal: Any, status: str | None = None) -> bool:
        return False


def connections(store: FakeStore) -> PushConnections:
    from chalicelib.domain.models import Role, User

    user = User(id="u", email="u@example.com", display_name="U", role=Role.AGENT, team_ids=("t",))
    return PushConnections(store, lambda _: "u", lambda _: user, lambda _: True,  # type: ignore[arg-type]
                           FakePresence(), None, lambda: datetime.now(UTC))  # type: ignore[arg-type]


def test_a_view_message_is_stored_and_a_heartbeat_stores_only_a_change() -> None:
    store = FakeStore()
    push = connections(store)
    push.message("k", json.dumps({"action": "view", "view": "mine", "conversation_id": C}))
    push.message("k", json.dumps({"action": "heartbeat", "view": "mine", "conversation_id": C}))
    push.message("k", json.dumps({"action": "heartbeat", "availability": "away"}))
    push.message("k", json.dumps({"action": "heartbeat", "view": "all", "conversation_id": None}))
    push.message("k", json.dumps({"action": "view", "view": "none"}))
    assert store.watches == [Watch(TabView.MINE, C), Watch(TabView.ALL), Watch(TabView.NONE)]


@pytest.mark.parametrize(("message", "field"), [
    ({"action": "view"}, "view"),
    ({"action": "view", "view": "everything"}, "view"),
    ({"action": "view", "view": 3}, "view"),
    ({"action": "view", "view": "all", "conversation_id": "../x"}, "conversation_id"),
    ({"action": "view", "view": "all", "conversation_id": C.upper()}, "conversation_id"),
    ({"action": "view", "view": "all", "conversation_id": 7}, "conversation_id"),
    ({"action": "heartbeat", "conversation_id": C}, "view"),
    ({"action": "view", "view": "all", "availability": "away"}, "availability"),
    ({"action": "heartbeat", "view": "all", "filters": {}}, "filters"),
    ({"action": "subscribe"}, "action"),
])
def test_what_a_tab_says_is_checked_field_by_field(message: dict[str, Any], field: str) -> None:
    store = FakeStore()
    with pytest.raises(InvalidInput) as refused:
        connections(store).message("k", json.dumps(message))
    assert refused.value.field == field
    assert re.search(field, refused.value.message)
    assert store.watches == []


def test_an_unknown_connection_cannot_say_what_it_shows() -> None:
    with pytest.raises(Unauthenticated):
        connections(FakeStore()).message("gone", json.dumps({"action": "view", "view": "all"}))
