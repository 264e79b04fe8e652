"""Statistics through the agent API: counts kept at write time, read per hour bucket.

What is counted (per team and hour): conversations created (by channel), conversations
entering each state, reopened ones, tags applied, and per agent the conversations assigned
to them, archived by them and the replies they sent. Two gauges give the occupancy now: how
many conversations wait in New and how many are assigned. The counts of a change are written in
the change's own transaction (``StatsRecorder``), so they cannot drift from the work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.core.model_base import Model
from chalicelib.domain.errors import InvalidInput

from .identity import Principal, require_statistics_reader
from .models import Channel, Conversation, ConversationState
from .ports.conversations import Tally
from .response_times import METRICS, ResponseTimes, duration_counts, response_times
from .response_times import to_csv as response_times_csv

if TYPE_CHECKING:
    from .ports.directory import UserDirectory
    from .ports.work import StatisticsStore

MAX_SPAN = timedelta(days=92)
_GAUGED = (ConversationState.NEW, ConversationState.ASSIGNED)


class AgentActivity(Model):
    assigned: int = 0
    archived: int = 0
    replies: int = 0


class DayCount(Model):
    day: str
    created: int


class Statistics(Model):
    team_id: str
    since: datetime
    until: datetime
    created: int
    reopened: int
    by_channel: dict[str, int]
    by_state: dict[str, int]
    by_tag: dict[str, int]
    by_agent: dict[str, AgentActivity]
    per_day: list[DayCount]
    current: dict[str, int]
    # First response time, time to archive and duration, against the span just before.
    response_times: ResponseTimes | None = None


class StatsRecorder:
    """What each counted change adds to the counters. The storage writes the tally in the same
    transaction as the change (storage/statistics.py ``count_in``), so counts never drift from
    the work: no count without its change, no change without its count, none twice."""

    def created(self, conversation: Conversation) -> Tally:
        return Tally(conversation.team_id, conversation.created_at,
                     counts={"created": 1, f"channel.{conversation.channel.value}": 1,
                             f"entered.{conversation.state.value}": 1},
                     gauges=_gauges(None, conversation.state))

    def opened(self, team_id: str, channel: Channel, at: datetime) -> Tally:
        """A customer's message opens a conversation (New) in ``team_id``."""
        return Tally(team_id, at, counts={"created": 1, f"channel.{channel.value}": 1,
                                          f"entered.{ConversationState.NEW.value}": 1},
                     gauges=_gauges(None, ConversationState.NEW))

    def moved(self, before: Conversation, state: ConversationState, owner_id: str | None, at: datetime, *,
              actor_id: str | None, reopened: bool = False) -> Tally:
        """``before`` (exactly as the transition's condition requires it) goes to ``state``,
        owned by ``owner_id``."""
        counts: Counter[str] = Counter({f"entered.{state.value}": 1})
        agent_id: str | None = None
        if reopened:
            counts["reopened"] += 1
        if state is ConversationState.ASSIGNED and owner_id:
            agent_id = owner_id
            counts[f"agent.{owner_id}.assigned"] += 1
        if state is ConversationState.ARCHIVED and actor_id:
            agent_id = actor_id
            counts[f"agent.{actor_id}.archived"] += 1
            # How long it took to archive, and how long the conversation ran (domain/response_times.py).
            counts.update(duration_counts("time_to_archive", before.channel, actor_id, before.created_at, at))
            counts.update(duration_counts("duration", before.channel, actor_id, before.created_at,
                                          before.last_message_at))
        return Tally(before.team_id, at, counts=counts, gauges=_gauges(before.state, state), agent_id=agent_id)

    def tagged(self, conversation: Conversation, tag: str, at: datetime) -> Tally:
        return Tally(conversation.team_id, at, counts={f"tag.{tag}": 1})

    def replied(self, conversation: Conversation, agent_id: str, at: datetime) -> Tally:
        """An agent's reply; the first one to a customer who wrote also ends the first response time."""
        counts = {f"agent.{agent_id}.replies": 1}
        if conversation.first_response_at is None and conversation.last_customer_message_at is not None:
            counts.update(duration_counts("first_response", conversation.channel, agent_id, conversation.created_at,
                                          at))
        return Tally(conversation.team_id, at, counts=counts, agent_id=agent_id)


def _gauges(before: ConversationState | None, after: ConversationState) -> dict[str, int]:
    deltas: Counter[str] = Counter()
    if before in _GAUGED:
        assert before is not None
        deltas[before.value] -= 1
    if after in _GAUGED:
        deltas[after.value] += 1
    return {state: n for state, n in deltas.items() if n}


class StatisticsReader:
    def __init__(self, repository: StatisticsStore, users: UserDirectory | None = None) -> None:
        self._repository = repository
        self._users = users

    def check(self, principal: Principal, since: datetime, until: datetime) -> None:
        """May ``principal`` read the statistics of this span (role, offsets, order, length)?"""
        require_statistics_reader(principal)
        if since.tzinfo is None or until.tzinfo is None:
            raise InvalidInput("since and until need a time-zone offset (ISO 8601)", field="since")
        if since >= until:
            raise InvalidInput("since must be before until", field="since")
        if until - since > MAX_SPAN:
            raise InvalidInput(f"the span is at most {MAX_SPAN.days} days", field="until")

    def _response_times(self, team_id: str, since: datetime, until: datetime,
                        totals: Mapping[str, int] | None = None) -> ResponseTimes:
        """The durations of [since, until) and of the span of the same length before it (one more Query)."""
        if totals is None:
            totals = _summed(self._repository.hours(team_id, since, until))
        previous_since = since - (until - since)
        previous = _summed(self._repository.hours(team_id, previous_since, since))
        return response_times(totals, previous, previous_since, since)

    def export(self, principal: Principal, since: datetime, until: datetime) -> bytes:
        """The response times of the span (against the one before) as CSV, agents by name (watchers
        "view and export", as the seed has it)."""
        self.check(principal, since, until)
        times = self._response_times(principal.team_id, since, until)
        agents = {agent for metric in METRICS for agent in getattr(times, metric).by_agent}
        names: dict[str, str] = {}
        for agent_id in agents:
            user = self._users.get(agent_id, consistent=False) if self._users is not None else None
            names[agent_id] = user.display_name if user is not None else agent_id
        return response_times_csv(times, names)

    def read(self, principal: Principal, since: datetime, until: datetime) -> Statistics:
        self.check(principal, since, until)
        totals: Counter[str] = Counter()
        per_day: Counter[str] = Counter()
        for hour, counters in self._repository.hours(principal.team_id, since, until):
            totals.update(counters)
            # Days in the time zone the caller asked in (the offset of `since`).
            local_day = datetime.fromisoformat(hour + ":00:00+00:00").astimezone(since.tzinfo).date().isoformat()
            per_day[local_day] += counters.get("created", 0)
        return Statistics(
            team_id=principal.team_id, since=since, until=until, created=totals.get("created", 0),
            reopened=totals.get("reopened", 0),
            by_channel=_group(totals, "channel."), by_state=_group(totals, "entered."), by_tag=_group(totals, "tag."),
            by_agent=_agents(totals), per_day=[DayCount(day=day, created=n) for day, n in sorted(per_day.items())],
            current=_occupancy(self._repository.current(principal.team_id)),
            response_times=self._response_times(principal.team_id, since, until, totals),
        )


def _summed(hours: list[tuple[str, dict[str, int]]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for _, counters in hours:
        totals.update(counters)
    return totals


def _occupancy(gauges: Mapping[str, int]) -> dict[str, int]:
    return {state.value: max(0, gauges.get(state.value, 0)) for state in _GAUGED}


def _group(totals: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {name.removeprefix(prefix): n for name, n in sorted(totals.items()) if name.startswith(prefix)}


def _agents(totals: Mapping[str, int]) -> dict[str, AgentActivity]:
    agents: dict[str, AgentActivity] = {}
    for name, n in totals.items():
        if not name.startswith("agent."):
            continue
        agent_id, _, what = name.removeprefix("agent.").rpartition(".")
        activity = agents.setdefault(agent_id, AgentActivity())
        setattr(activity, what, getattr(activity, what, 0) + n)
    return dict(sorted(agents.items()))
