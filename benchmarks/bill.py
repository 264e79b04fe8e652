"""The monthly bill at a volume and a team size, from the cost probe's measured per-unit costs
and the fixed lines AWS charges whatever the traffic.

Traffic per inbound message (a stated mix, not a measurement): a conversation opens with one of
every three inbound messages (one opening, two follow-ups), is picked up once, gets two replies with
their status callbacks, is archived, and is deleted when the auto-deletion period has passed (once
the service has run that long, every month deletes about as many conversations as it opens). The
hourly sweep that finds them costs its state transitions whether it finds any: a fixed line.

Agents keep the inbox open 8 hours a day, 21 days a month, over a WebSocket (docs/push.md): an idle
tab costs its connection minutes, a heartbeat a minute (a WebSocket message and an invocation with a
presence read and write; presence rides the socket, so no API call) and a reconnect every two hours
with its catch-up reads. Messages arrive while the team works, so every agent's tab is counted as
open, one tab per agent.

Each batch of notices is one WebSocket message per tab it can concern (shared/domain/push.py,
``reach_of``; the cost probe counts the batches by reach): a conversation that moved (an opening, a
pick-up) and news in New reach every tab of the team; a message or tags the owner's tab and the tabs
that watch everything; a status or a note the owner's tab only (the thread open on a conversation
is taken to be its owner's). Assumed: one tab in ten (at least one) watches everything, that is
shows New, All, Assigned or a filtered list (supervisors, and agents looking there); the others
show Assigned to me.

The notices queue's batching window folds batches (shared/core/resources.py NOTICES_QUEUE): the
event source mapping's pollers (five, ``ESM_POLLERS``) each gather what reaches them for the
window after their first record, and the worker posts once per tab per invocation (``folded``).
How much that saves depends on the rate, so the messages are spread over the agents' working
hours (the traffic arrives while the team works), Poisson, evenly over the pollers. Owner-only
batches (a thread's statuses) are counted unfolded: they rarely meet in one invocation.

The tabs a notice touches read (priced as the probe's measured list read: API Gateway, Lambda, read
units): a follow-up or a reply the owner's open conversation (its detail and newest page: 2); and
every notice of a conversation (arrival, pick-up, follow-up, reply) the lists of the watching tabs
that cannot put the notice's row in place themselves (frontend/src/lib/rows.ts: a filtered list,
one sorted by waiting time or with more pages loaded), assumed one in three of the watching tabs,
1 read per post that carries such a notice, at most one a second (the tab's read gate,
frontend/src/lib/push.ts). Every other list, and every tab's watcher of arrivals, takes the row the
notice carries without a read; statuses and tags travel in the notice too. Reads follow what the
tabs show, not what they are sent: the same whether every notice reaches every tab or only the tabs
it concerns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.core import resources

from benchmarks import prices

OPENING, FOLLOW_UP, PICK_UP, REPLY, POLL = "opening", "follow-up", "pick-up", "reply", "poll"
ARCHIVE, PURGE = "archive", "auto-deletion"
# Measured, not in the mix: every opening is priced as a new customer's (the dearer kind: a profile,
# its address and search fragments), since how many customers come back is not known here.
RETURNING_OPENING = "opening by a returning customer"
PER_INBOUND_MESSAGE: Mapping[str, float] = {OPENING: 1 / 3, FOLLOW_UP: 2 / 3, PICK_UP: 1 / 3, REPLY: 2 / 3,
                                            ARCHIVE: 1 / 3, PURGE: 1 / 3}
AGENT_HOURS_PER_MONTH = 8 * 21
RETENTION_MONTHS = 12
# Fixed resources (assumptions stated here, counted from infra/ where it defines them).
SECRETS = 1 + 5  # the app's own, and one per channel account of a typical service
# The stack's CloudWatch alarms (infra/constructs/monitoring.py): two per queue (dead letters, oldest
# message), three per function (faults, throttles, latency) and 16 more (the two APIs', the table's,
# the state machines' and the schedules'); tests/infra/test_monitoring.py holds both counts to the
# synthesized template.
FUNCTIONS = 17
OTHER_ALARMS = 16
ALARMS = 2 * len(resources.QUEUES) + 3 * FUNCTIONS + OTHER_ALARMS
# The auto-deletion sweep (resources.auto_delete_definition), started every hour, with nothing due: the
# Pass and Map states, and on each shard of the due index its first page's Query, the two Choices
# and the end. A page of due conversations adds four (a purge request and the next page's Query with
# its Choice) per 100 of them: about $1 per million conversations deleted, not counted.
SWEEPS_PER_MONTH = 30 * 24
IDLE_SWEEP_TRANSITIONS = 2 + 4 * resources.DUE_SHARDS
# An event source mapping long-polls an idle queue with five pollers, 20 s per receive.
IDLE_RECEIVES_PER_QUEUE_MONTH = 5 * 30 * 24 * 3600 / 20
# The share of the team's tabs whose list can show any conversation of the team that arrives or moves
# (New, All, Assigned, a filtered list).
WATCHING_EVERYTHING_SHARE = 0.1
# The share of those whose list reads on a notice instead of placing its row (filtered, sorted by
# waiting time, more pages loaded).
READING_WATCHERS_SHARE = 1 / 3
PUSH_LINE, READS_LINE = "push to the tabs", "list reads on notice"
# Lambda's SQS event source mapping starts five pollers; each gathers its own batches.
ESM_POLLERS = 5
WORK_SECONDS_PER_MONTH = AGENT_HOURS_PER_MONTH * 3600
# A tab reads its list at most once a second however many notices arrive (the web app's read gate).
TAB_READS_PER_SECOND = 1.0
# Reaches of a notice batch (shared/domain/push.py ``Reach``): every tab, the lists, the thread.
TEAM, LISTS, THREAD = "team", "lists", "thread"


@dataclass(frozen=True)
class Bill:
    messages: int
    agents: int
    lines: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def idle_tab_month(rest_call_dollars: float) -> float:
    """One agent's open tab for a month with push, idle: the socket's minutes, its heartbeats (a
    WebSocket message and an invocation with a few reads and a write each minute), and a reconnect
    every two hours (API Gateway's limit) with its catch-up reads."""
    minutes = AGENT_HOURS_PER_MONTH * 60
    # (the fifth read: what the tab shows, compared with what its connection holds)
    heartbeat = (prices.API_GATEWAY_WEBSOCKET_MESSAGE + prices.LAMBDA_REQUEST + 5 * prices.DYNAMODB_READ_REQUEST_UNIT
                 + 2 * prices.DYNAMODB_WRITE_REQUEST_UNIT
                 + rest_call_dollars - prices.API_GATEWAY_REST_REQUEST - prices.LAMBDA_REQUEST)
    reconnect = prices.API_GATEWAY_WEBSOCKET_MESSAGE + 7 * rest_call_dollars + 4 * prices.DYNAMODB_WRITE_REQUEST_UNIT
    return minutes * prices.API_GATEWAY_WEBSOCKET_CONNECTION_MINUTE + minutes * heartbeat + minutes / 120 * reconnect


def watching_everything(agents: int) -> int:
    """Tabs that show every conversation of the team (see WATCHING_EVERYTHING_SHARE)."""
    return min(agents, max(1, math.ceil(agents * WATCHING_EVERYTHING_SHARE)))


def folded(all_batches: float, concerning: float, window: float, pollers: int = ESM_POLLERS) -> float:
    """Posts a second to one tab that ``concerning`` of the ``all_batches`` notice batches a second
    concern, when each of the mapping's ``pollers`` gathers for ``window`` seconds after its first
    record: an invocation carries that record and what else reached its poller in the window, and
    posts to the tab when any of them concerns it. Without a window, ``concerning`` itself."""
    if concerning <= 0:
        return 0.0
    invocations = all_batches / (1 + all_batches / pollers * window)
    return invocations * (1 - (1 - concerning / all_batches) * math.exp(-concerning / pollers * window))


def monthly(messages: int, agents: int, unit_dollars: Mapping[str, float], stored_bytes_per_message: float,
            notices: Mapping[str, Mapping[str, float]], scoped: bool = True,
            window: float = resources.NOTICES_QUEUE.batching_window_seconds) -> Bill:
    """``unit_dollars``: $ per unit of each kind (OPENING ... POLL) from the probe; ``notices``: push
    notice batches per unit of each kind, by reach (TEAM, LISTS, THREAD). ``scoped=False``: every
    batch to every tab, as before issue 19; ``window``: the notices queue's batching window."""
    traffic = sum(messages * share * unit_dollars[kind] for kind, share in PER_INBOUND_MESSAGE.items())
    per_second = messages / WORK_SECONDS_PER_MONTH
    rate = {reach: per_second * sum(share * notices.get(kind, {}).get(reach, 0.0)
                                    for kind, share in PER_INBOUND_MESSAGE.items())
            for reach in (TEAM, LISTS, THREAD)}
    every = sum(rate.values())
    watchers = min(agents, 1 + watching_everything(agents)) - 1  # the owner's tab is counted apart
    # Posts a second to a tab that watches everything: every move and every message of the team.
    watching = folded(every, rate[TEAM] + rate[LISTS], window)
    if not scoped:
        posts = agents * folded(every, every, window)
    else:
        team = folded(every, rate[TEAM], window)
        posts = agents * team + watchers * (watching - team)
        posts += rate[LISTS] + rate[THREAD]  # the owner's tab
    reading_lists = watching_everything(agents) * READING_WATCHERS_SHARE
    list_reads = reading_lists * min(TAB_READS_PER_SECOND, watching)
    owner_reads = per_second * (PER_INBOUND_MESSAGE[FOLLOW_UP] + PER_INBOUND_MESSAGE[REPLY]) * 2
    stored_gb = messages * RETENTION_MONTHS * stored_bytes_per_message / 1e9
    idle_polling = sum(IDLE_RECEIVES_PER_QUEUE_MONTH * (prices.SQS_FIFO_REQUEST if queue.fifo
                                                        else prices.SQS_STANDARD_REQUEST)
                       for queue in resources.QUEUES)
    return Bill(messages, agents, {
        "messages (per-message table)": traffic,
        "agents' open tabs (idle)": agents * idle_tab_month(unit_dollars[POLL]),
        PUSH_LINE: posts * WORK_SECONDS_PER_MONTH * prices.API_GATEWAY_WEBSOCKET_MESSAGE,
        READS_LINE: (list_reads + owner_reads) * WORK_SECONDS_PER_MONTH * unit_dollars[POLL],
        "queues' idle polling": idle_polling,
        "auto-deletion sweeps": SWEEPS_PER_MONTH * IDLE_SWEEP_TRANSITIONS * prices.STEP_FUNCTIONS_STANDARD_TRANSITION,
        "Cognito users": agents * prices.COGNITO_MONTHLY_ACTIVE_USER,
        "secrets": SECRETS * prices.SECRETS_MANAGER_SECRET_MONTH,
        "alarms": ALARMS * prices.CLOUDWATCH_ALARM_MONTH,
        f"storage ({RETENTION_MONTHS} months kept)": stored_gb * prices.DYNAMODB_STORAGE_GB_MONTH,
        "point-in-time recovery": stored_gb * prices.DYNAMODB_PITR_GB_MONTH,
    })


def table(bills: list[Bill]) -> str:
    names = list(bills[0].lines)
    header = "| inbound messages / month | agents | " + " | ".join(names) + " | total $ / month |"
    lines = [header, "|---:|---:|" + "---:|" * (len(names) + 1)]
    for bill in bills:
        cells = " | ".join(f"{bill.lines[name]:,.2f}" for name in names)
        lines.append(f"| {bill.messages:,} | {bill.agents:,} | {cells} | {bill.total:,.2f} |")
    return "\n".join(lines)
