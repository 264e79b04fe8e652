"""Statistics that answer "how are we doing": first response time, time to archive and
conversation duration, as median and 90th percentile per agent and per channel, compared with the
period before.

Each duration is counted when it ends, in the same transaction as the change that ends it (the
counters of ``StatsRecorder``): into a histogram of fixed buckets on the hour item of the agent it
belongs to (never one hot item: storage/statistics.py). A counter is named
``dur:<metric>:<channel>:b<bucket>:<agent>``, plus ``...:sum:<agent>`` (seconds), so a span's sum
over hours gives every agent's and channel's histogram; the percentiles are read from it,
interpolated within a bucket (exact to the bucket's width, a few percent at these bounds).

- first response: from the customer's first message (the conversation's start) to the first
  agent reply; counted once, with that reply (conversations an agent started are not counted).
- time to archive: from the start to the archive, counted with the archive, for the agent who archived.
- duration: from the first to the last message, counted with the archive.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

from .models import Channel, Frozen

Metric = Literal["first_response", "time_to_archive", "duration"]
METRICS: tuple[Metric, ...] = ("first_response", "time_to_archive", "duration")
PREFIX = "dur:"
# Upper bounds of the buckets, in seconds (the last bucket is everything longer).
BUCKETS: tuple[int, ...] = (30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800)


def bucket_of(seconds: float) -> int:
    return bisect_left(BUCKETS, max(0.0, seconds))


def duration_counts(metric: Metric, channel: Channel, agent_id: str, start: datetime, end: datetime) -> dict[str, int]:
    """The counters one ended duration adds (to its agent's hour item)."""
    seconds = max(0, int((end - start).total_seconds()))
    base = f"{PREFIX}{metric}:{channel.value}"
    return {f"{base}:b{bucket_of(seconds)}:{agent_id}": 1, f"{base}:sum:{agent_id}": seconds}


class Figures(Frozen):
    """One group's durations: how many, and the median and 90th percentile in seconds."""

    count: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    mean_seconds: float | None = None


class Compared(Frozen):
    current: Figures
    previous: Figures


class MetricFigures(Frozen):
    overall: Compared
    by_agent: dict[str, Compared]
    by_channel: dict[str, Compared]


class ResponseTimes(Frozen):
    """The three durations of a span and of the span of the same length just before it."""

    previous_since: datetime
    previous_until: datetime
    first_response: MetricFigures
    time_to_archive: MetricFigures
    duration: MetricFigures


class _Histogram:
    def __init__(self) -> None:
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.total = 0

    def add(self, bucket: int, n: int) -> None:
        self.buckets[bucket] += n

    def figures(self) -> Figures:
        count = sum(self.buckets)
        if not count:
            return Figures()
        return Figures(count=count, median_seconds=self._quantile(0.5, count), p90_seconds=self._quantile(0.9, count),
                       mean_seconds=round(self.total / count, 1))

    def _quantile(self, q: float, count: int) -> float:
        """The q-quantile, interpolated linearly within its bucket."""
        rank = q * count
        seen = 0
        for index, n in enumerate(self.buckets):
            if n and seen + n >= rank:
                low = BUCKETS[index - 1] if index else 0
                high = BUCKETS[index] if index < len(BUCKETS) else low
                return round(low + (high - low) * (rank - seen) / n, 1)
            seen += n
        return float(BUCKETS[-1])


def _histograms(totals: Mapping[str, int], metric: Metric) -> dict[tuple[str, str], _Histogram]:
    """(agent, channel) -> the histogram of ``metric``."""
    found: dict[tuple[str, str], _Histogram] = {}
    for name, n in totals.items():
        if not name.startswith(f"{PREFIX}{metric}:"):
            continue
        parts = name.split(":", 4)
        if len(parts) != 5:
            continue
        _, _, channel, what, agent = parts
        histogram = found.setdefault((agent, channel), _Histogram())
        if what == "sum":
            histogram.total += n
        elif what.startswith("b") and what[1:].isdigit() and int(what[1:]) < len(histogram.buckets):
            histogram.add(int(what[1:]), n)
    return found


def _merged(histograms: Iterable[_Histogram]) -> _Histogram:
    merged = _Histogram()
    for histogram in histograms:
        for index, n in enumerate(histogram.buckets):
            merged.add(index, n)
        merged.total += histogram.total
    return merged


def _grouped(found: dict[tuple[str, str], _Histogram], by: int) -> dict[str, Figures]:
    groups: dict[str, list[_Histogram]] = {}
    for key, histogram in found.items():
        groups.setdefault(key[by], []).append(histogram)
    return {name: _merged(histograms).figures() for name, histograms in sorted(groups.items())}


def metric_figures(current: Mapping[str, int], previous: Mapping[str, int], metric: Metric) -> MetricFigures:
    now, before = _histograms(current, metric), _histograms(previous, metric)

    def compared(now_figures: dict[str, Figures], before_figures: dict[str, Figures]) -> dict[str, Compared]:
        return {name: Compared(current=now_figures.get(name, Figures()), previous=before_figures.get(name, Figures()))
                for name in sorted(set(now_figures) | set(before_figures))}

    return MetricFigures(
        overall=Compared(current=_merged(now.values()).figures(), previous=_merged(before.values()).figures()),
        by_agent=compared(_grouped(now, 0), _grouped(before, 0)),
        by_channel=compared(_grouped(now, 1), _grouped(before, 1)))


def response_times(current: Mapping[str, int], previous: Mapping[str, int], previous_since: datetime,
                   previous_until: datetime) -> ResponseTimes:
    return ResponseTimes(previous_since=previous_since, previous_until=previous_until,
                         **{metric: metric_figures(current, previous, metric) for metric in METRICS})


CSV_HEADER = ("metric", "group", "name", "count", "median_seconds", "p90_seconds", "mean_seconds",
              "previous_count", "previous_median_seconds", "previous_p90_seconds", "previous_mean_seconds")


def _cells(figures: Figures) -> list[str]:
    return [str(figures.count), *("" if value is None else f"{value:g}"
                                  for value in (figures.median_seconds, figures.p90_seconds, figures.mean_seconds))]


def to_csv(times: ResponseTimes, names: Mapping[str, str]) -> bytes:
    """The figures as CSV: one row per metric and group (all, each agent by name, each channel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for metric in METRICS:
        figures: MetricFigures = getattr(times, metric)
        rows: list[tuple[str, str, Compared]] = [("all", "", figures.overall)]
        rows += [("agent", names.get(agent, agent), compared) for agent, compared in figures.by_agent.items()]
        rows += [("channel", channel, compared) for channel, compared in figures.by_channel.items()]
        for group, name, compared in rows:
            # Names are people's and can start with = or +: never a formula in a spreadsheet.
            safe = "'" + name if name.startswith(("=", "+", "-", "@")) else name
            writer.writerow([metric, group, safe, *_cells(compared.current), *_cells(compared.previous)])
    return buffer.getvalue().encode("utf-8-sig")
