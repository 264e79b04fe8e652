"""Office hours of a team, in the team's IANA time zone, and the closed periods between them.

Spans are wall-clock times: "08:00-17:00" means 08:00 to 17:00 on the clock in the team's
zone, whatever its UTC offset that day (the tz database settles DST). A team without office
hours is always open; a weekday without spans is closed; a holiday is closed all day.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.core.model_base import Model
from pydantic import ConfigDict, Field, field_validator, model_validator

_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
# How far back the last closing moment is searched for; a team open less often than this has
# one long closed period.
_SEARCH_DAYS = 400
NEVER_OPEN = "never-open"


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


_WEEKDAYS = list(Weekday)


def _seconds(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60


class TimeSpan(Model):
    """Open from ``open`` (inclusive) to ``close`` (exclusive), "HH:MM"; "24:00" closes at midnight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    open: str = Field(examples=["08:00"])
    close: str = Field(examples=["17:00"])

    @field_validator("open", "close")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("must be a time HH:MM between 00:00 and 24:00")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeSpan:
        if _seconds(self.open) >= _seconds(self.close):
            raise ValueError(f"opens at {self.open} but closes at {self.close}; a span past midnight is "
                             "two spans, one on each day")
        return self

    def contains(self, seconds_of_day: float) -> bool:
        return _seconds(self.open) <= seconds_of_day < _seconds(self.close)


class OfficeHours(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: str = Field(examples=["Europe/Amsterdam"])
    # Weekdays missing here are closed all day.
    days: dict[Weekday, list[TimeSpan]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list, max_length=500)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not an IANA time zone") from error
        return value

    @field_validator("days")
    @classmethod
    def _no_overlap(cls, days: dict[Weekday, list[TimeSpan]]) -> dict[Weekday, list[TimeSpan]]:
        ordered: dict[Weekday, list[TimeSpan]] = {}
        for weekday, spans in days.items():
            spans = sorted(spans, key=lambda span: _seconds(span.open))
            for before, after in itertools.pairwise(spans):
                if _seconds(after.open) < _seconds(before.close):
                    raise ValueError(f"{weekday.value}: {before.open}-{before.close} overlaps "
                                     f"{after.open}-{after.close}")
            if len(spans) > 12:
                raise ValueError(f"{weekday.value}: at most 12 spans a day")
            ordered[weekday] = spans
        return ordered

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def spans_on(self, day: date) -> list[TimeSpan]:
        if day in self.holidays:
            return []
        return self.days.get(_WEEKDAYS[day.weekday()], [])


def _local(hours: OfficeHours, instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(hours.zone)


def _seconds_of_day(moment: datetime) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def is_open(hours: OfficeHours | None, instant: datetime) -> bool:
    """Whether a team with these office hours is open at ``instant`` (None: always open)."""
    if hours is None:
        return True
    local = _local(hours, instant)
    now = _seconds_of_day(local)
    return any(span.contains(now) for span in hours.spans_on(local.date()))


def current_closed_period(hours: OfficeHours | None, instant: datetime) -> str | None:
    """None while open; otherwise an id of the closed period ``instant`` falls in, the same for
    every instant of that period: the wall-clock moment of the last closing before it, e.g.
    ``2024-03-29T17:00@Europe/Amsterdam`` (or ``never-open``)."""
    if is_open(hours, instant):
        return None
    assert hours is not None
    local = _local(hours, instant)
    now = _seconds_of_day(local)
    day = local.date()
    for back in range(_SEARCH_DAYS):
        candidate = day - timedelta(days=back)
        closes = [_seconds(span.close) for span in hours.spans_on(candidate)]
        if back == 0:
            closes = [close for close in closes if close <= now]
        if closes:
            close = max(closes)
            return f"{candidate.isoformat()}T{close // 3600:02d}:{close % 3600 // 60:02d}@{hours.time_zone}"
    return NEVER_OPEN
