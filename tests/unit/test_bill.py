"""The monthly bill's model of the notices' batching window (benchmarks/bill.py ``folded``): exact
without a window, equal to a simulation of the event source mapping's pollers with one, and the
push line of a month as the posts it counts."""

from __future__ import annotations

import random

import pytest

from benchmarks import bill, prices

pytestmark = pytest.mark.unit


def simulated_posts(all_batches: float, concerning: float, window: float, pollers: int, seconds: float) -> float:
    """Posts a second to one tab: Poisson batches spread at random over the pollers; a poller that
    gets a record gathers for ``window`` seconds, then invokes; a post when any record concerns the tab."""
    chance = random.Random(19)
    window_ends = [0.0] * pollers
    concerned = [False] * pollers
    posts = 0
    now = 0.0
    while now < seconds:
        now += chance.expovariate(all_batches)
        poller = chance.randrange(pollers)
        if now >= window_ends[poller]:  # an idle poller: a new window starts (the last one was invoked)
            posts += concerned[poller]
            window_ends[poller], concerned[poller] = now + window, False
        concerned[poller] |= chance.random() < concerning / all_batches
    return (posts + sum(concerned)) / seconds


def test_without_a_window_every_concerning_batch_is_a_post() -> None:
    assert bill.folded(6.0, 1.5, window=0) == pytest.approx(1.5)
    assert bill.folded(6.0, 0.0, window=1) == 0.0


@pytest.mark.parametrize(("all_batches", "concerning"), [(0.5, 0.1), (6.0, 1.1), (60.0, 11.0), (60.0, 60.0)])
def test_the_folding_matches_a_simulation_of_the_mappings_pollers(all_batches: float, concerning: float) -> None:
    expected = simulated_posts(all_batches, concerning, window=1.0, pollers=5, seconds=20_000 / all_batches)
    assert bill.folded(all_batches, concerning, window=1.0, pollers=5) == pytest.approx(expected, rel=0.05)


def test_a_window_saves_little_on_a_quiet_team_and_caps_a_busy_one() -> None:
    assert bill.folded(0.05, 0.01, window=1) > 0.99 * 0.01
    # however many batches, a tab gets at most one post per poller and window
    assert bill.folded(1_000.0, 500.0, window=1) < bill.ESM_POLLERS


def test_the_push_line_prices_the_posts_a_month_of_working_hours() -> None:
    # Given one batch per opening that reaches every tab, and no window
    notices = {bill.OPENING: {bill.TEAM: 1.0}}
    units = dict.fromkeys((*bill.PER_INBOUND_MESSAGE, bill.POLL), 0.0)
    month = bill.monthly(3_000_000, 10, units, 0.0, notices, window=0)
    # Then each of the million openings is a WebSocket message to each of the ten tabs
    assert month.lines[bill.PUSH_LINE] == pytest.approx(10_000_000 * prices.API_GATEWAY_WEBSOCKET_MESSAGE)
    # And the one-second window makes it less
    assert bill.monthly(3_000_000, 10, units, 0.0, notices).lines[bill.PUSH_LINE] < month.lines[bill.PUSH_LINE]


def test_every_conversation_is_archived_and_later_deleted_and_the_sweep_runs_hourly() -> None:
    # Given $3 per million archives and $6 per million deletions, nothing else
    units = {**dict.fromkeys((*bill.PER_INBOUND_MESSAGE, bill.POLL), 0.0), bill.ARCHIVE: 3e-6, bill.PURGE: 6e-6}
    month = bill.monthly(3_000_000, 1, units, 0.0, {}, window=0)
    # Then the million conversations of three million inbound messages are each archived and deleted once
    assert month.lines["messages (per-message table)"] == pytest.approx(3.0 + 6.0)
    # And the sweep's empty runs are a fixed line: every hour, each shard of the due index read once
    assert month.lines["auto-deletion sweeps"] == pytest.approx(
        30 * 24 * (2 + 4 * 8) * prices.STEP_FUNCTIONS_STANDARD_TRANSITION)
