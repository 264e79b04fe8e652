"""Office hours in the team's time zone: spans, closed days, holidays, DST, closed periods."""

from datetime import UTC, date, datetime

import pytest
from chalicelib.domain.office_hours import (
    NEVER_OPEN,
    OfficeHours,
    TimeSpan,
    current_closed_period,
    is_open,
)
from pydantic import ValidationError

WEEKDAYS_9_TO_5 = {day: [{"open": "08:00", "close": "17:00"}]
                   for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def amsterdam(**overrides):
    return OfficeHours.model_validate({"time_zone": "Europe/Amsterdam", "days": WEEKDAYS_9_TO_5, **overrides})


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_no_office_hours_means_always_open():
    # Given a team without office hours / When asked at any moment / Then it is open
    assert is_open(None, utc(2024, 12, 25, 3, 0))
    assert current_closed_period(None, utc(2024, 12, 25, 3, 0)) is None


@pytest.mark.parametrize(("instant", "expected"), [
    (utc(2024, 3, 25, 6, 59), False),   # Monday 07:59 CET
    (utc(2024, 3, 25, 7, 0), True),     # Monday 08:00 CET: opening is inclusive
    (utc(2024, 3, 25, 15, 59), True),   # Monday 16:59 CET
    (utc(2024, 3, 25, 16, 0), False),   # Monday 17:00 CET: closing is exclusive
    (utc(2024, 3, 30, 12, 0), False),   # Saturday: not listed, closed
])
def test_weekday_spans_in_winter_time(instant, expected):
    assert is_open(amsterdam(), instant) is expected


def test_the_same_utc_hour_is_open_after_the_spring_change_and_closed_before():
    # Given 08:00-17:00 in Amsterdam; the clocks go forward on Sunday 31 March 2024
    hours = amsterdam()
    # When it is 06:30 UTC on the Monday before (07:30 CET) and on the Monday after (08:30 CEST)
    # Then the first is closed and the second open
    assert not is_open(hours, utc(2024, 3, 25, 6, 30))
    assert is_open(hours, utc(2024, 4, 1, 6, 30))
    # And closing follows the wall clock too: 15:30 UTC is 17:30 CEST, closed
    assert not is_open(hours, utc(2024, 4, 1, 15, 30))
    assert is_open(hours, utc(2024, 3, 25, 15, 30))


def test_the_same_utc_hour_is_open_before_the_autumn_change_and_closed_after():
    # Given the clocks go back on Sunday 27 October 2024
    hours = amsterdam()
    # Then 06:30 UTC is 08:30 CEST on Friday 25th (open) and 07:30 CET on Monday 28th (closed)
    assert is_open(hours, utc(2024, 10, 25, 6, 30))
    assert not is_open(hours, utc(2024, 10, 28, 6, 30))


def test_a_span_over_the_skipped_hour_counts_wall_clock_time():
    # Given a Sunday span 01:00-04:00 on the night 02:00 becomes 03:00 (31 March 2024)
    hours = OfficeHours.model_validate({"time_zone": "Europe/Amsterdam",
                                        "days": {"sunday": [{"open": "01:00", "close": "04:00"}]}})
    # Then it opens at 00:00 UTC (01:00 CET) and closes at 02:00 UTC (04:00 CEST): two real hours
    assert not is_open(hours, utc(2024, 3, 30, 23, 59))
    assert is_open(hours, utc(2024, 3, 31, 0, 0))
    assert is_open(hours, utc(2024, 3, 31, 1, 59))
    assert not is_open(hours, utc(2024, 3, 31, 2, 0))


def test_a_span_over_the_repeated_hour_is_open_both_times_it_is_on_the_clock():
    # Given a Sunday span 02:00-03:00 on the night 03:00 becomes 02:00 again (27 October 2024)
    hours = OfficeHours.model_validate({"time_zone": "Europe/Amsterdam",
                                        "days": {"sunday": [{"open": "02:00", "close": "03:00"}]}})
    # Then both 02:30s are open (00:30 UTC in CEST, 01:30 UTC in CET) and 03:00 CET is closed
    assert is_open(hours, utc(2024, 10, 27, 0, 30))
    assert is_open(hours, utc(2024, 10, 27, 1, 30))
    assert not is_open(hours, utc(2024, 10, 27, 2, 0))
    assert not is_open(hours, utc(2024, 10, 26, 23, 59))


def test_holidays_close_the_whole_day_and_extend_the_closed_period():
    # Given Easter Monday 1 April 2024 is a holiday
    hours = amsterdam(holidays=["2024-04-01"])
    # Then Monday 10:00 CEST is closed, Tuesday 10:00 CEST open
    assert not is_open(hours, utc(2024, 4, 1, 8, 0))
    assert is_open(hours, utc(2024, 4, 2, 8, 0))
    # And the whole long weekend is one closed period, from Friday's closing
    friday_evening = current_closed_period(hours, utc(2024, 3, 29, 18, 0))
    assert friday_evening == "2024-03-29T17:00@Europe/Amsterdam"
    assert current_closed_period(hours, utc(2024, 3, 31, 12, 0)) == friday_evening
    assert current_closed_period(hours, utc(2024, 4, 1, 12, 0)) == friday_evening
    assert current_closed_period(hours, utc(2024, 4, 2, 5, 59)) == friday_evening  # Tuesday 07:59 CEST


def test_each_closing_starts_a_new_closed_period():
    hours = amsterdam()
    monday_night = current_closed_period(hours, utc(2024, 3, 25, 22, 0))
    tuesday_morning = current_closed_period(hours, utc(2024, 3, 26, 6, 0))
    tuesday_night = current_closed_period(hours, utc(2024, 3, 26, 20, 0))
    assert monday_night == tuesday_morning == "2024-03-25T17:00@Europe/Amsterdam"
    assert tuesday_night == "2024-03-26T17:00@Europe/Amsterdam"
    # And while open there is no closed period
    assert current_closed_period(hours, utc(2024, 3, 26, 9, 0)) is None


def test_several_spans_a_day_make_a_lunch_break_its_own_closed_period():
    hours = OfficeHours.model_validate({"time_zone": "Europe/Amsterdam", "days": {"monday": [
        {"open": "13:00", "close": "17:00"}, {"open": "09:00", "close": "12:00"}]}})
    assert is_open(hours, utc(2024, 3, 25, 8, 30))       # 09:30
    assert not is_open(hours, utc(2024, 3, 25, 11, 30))  # 12:30
    assert current_closed_period(hours, utc(2024, 3, 25, 11, 30)) == "2024-03-25T12:00@Europe/Amsterdam"
    assert current_closed_period(hours, utc(2024, 3, 25, 16, 30)) == "2024-03-25T17:00@Europe/Amsterdam"
    # Before Monday's first span the period began at the previous Monday's closing
    assert current_closed_period(hours, utc(2024, 3, 25, 7, 0)) == "2024-03-18T17:00@Europe/Amsterdam"


def test_a_day_closing_at_midnight_runs_into_the_next_day():
    hours = OfficeHours.model_validate({"time_zone": "America/New_York", "days": {
        "friday": [{"open": "20:00", "close": "24:00"}], "saturday": [{"open": "00:00", "close": "02:00"}]}})
    assert is_open(hours, utc(2024, 3, 9, 4, 30))  # Friday 23:30 EST
    assert is_open(hours, utc(2024, 3, 9, 5, 30))  # Saturday 00:30 EST
    assert current_closed_period(hours, utc(2024, 3, 9, 8, 0)) == "2024-03-09T02:00@America/New_York"


def test_hours_with_no_spans_are_never_open():
    hours = OfficeHours(time_zone="UTC")
    assert not is_open(hours, utc(2024, 1, 1, 12, 0))
    assert current_closed_period(hours, utc(2024, 1, 1, 12, 0)) == NEVER_OPEN


@pytest.mark.parametrize("document", [
    {"time_zone": "Europe/Atlantis"},
    {"time_zone": "Europe/Amsterdam", "days": {"monday": [{"open": "17:00", "close": "08:00"}]}},
    {"time_zone": "Europe/Amsterdam", "days": {"monday": [{"open": "08:00", "close": "25:00"}]}},
    {"time_zone": "Europe/Amsterdam", "days": {"monday": [{"open": "8:00", "close": "12:00"}]}},
    {"time_zone": "Europe/Amsterdam", "days": {"funday": [{"open": "08:00", "close": "12:00"}]}},
    {"time_zone": "Europe/Amsterdam", "days": {"monday": [{"open": "08:00", "close": "12:00"},
                                                          {"open": "11:00", "close": "13:00"}]}},
])
def test_invalid_office_hours_are_refused(document):
    with pytest.raises(ValidationError):
        OfficeHours.model_validate(document)


def test_a_naive_instant_is_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(amsterdam(), datetime(2024, 1, 1, 12, 0))


def test_spans_are_kept_in_order_and_holidays_are_dates():
    hours = OfficeHours.model_validate({"time_zone": "UTC", "holidays": ["2024-12-25"], "days": {
        "monday": [{"open": "13:00", "close": "14:00"}, {"open": "09:00", "close": "10:00"}]}})
    assert [span.open for span in hours.days["monday"]] == ["09:00", "13:00"]
    assert hours.holidays == [date(2024, 12, 25)]
    assert TimeSpan(open="00:00", close="24:00").contains(86399.5)
