"""Time units. The simulation clock is in calendar days; every statutory limit is converted here.

Conventions (documented once, used everywhere):
- a week is 7 days;
- a month is 365.25 / 12 = 30.4375 days (appeal deadlines are "2 months", "1 month");
- a working day is 7/5 of a calendar day (no bank holidays), so 3 working days = 4.2 days;
- a year is 365.25 days.
"""

from __future__ import annotations

import datetime as dt

DAYS_PER_WEEK = 7.0
DAYS_PER_MONTH = 365.25 / 12.0
DAYS_PER_WORKING_DAY = 7.0 / 5.0
DAYS_PER_YEAR = 365.25

_FACTOR = {
    "days": 1.0,
    "weeks": DAYS_PER_WEEK,
    "months": DAYS_PER_MONTH,
    "working_days": DAYS_PER_WORKING_DAY,
    "years": DAYS_PER_YEAR,
}

TIME_UNITS = tuple(_FACTOR)


def to_days(value: float, unit: str) -> float:
    """Convert a duration in `unit` (days, weeks, months, working_days, years) to calendar days."""
    try:
        return float(value) * _FACTOR[unit]
    except KeyError:
        raise ValueError(f"unknown time unit {unit!r}; allowed: {', '.join(TIME_UNITS)}") from None


def weeks(days: float) -> float:
    return days / DAYS_PER_WEEK


class Calendar:
    """Maps simulation days to dates and calendar/academic periods, from a start date."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start = start
        self.end = end
        self.horizon_days = float((end - start).days + 1)

    def day(self, date: dt.date) -> float:
        return float((date - self.start).days)

    def date(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def year_starts(self) -> list[tuple[int, float]]:
        """(calendar year, day offset of 1 January) for every year the horizon touches, plus the year after."""
        return [(y, self.day(dt.date(y, 1, 1))) for y in range(self.start.year, self.end.year + 2)]

    def dates_each_year(self, month: int, day: int) -> list[float]:
        """Day offsets of a fixed date (e.g. 15 February) in every year of the horizon."""
        out = []
        for y in range(self.start.year, self.end.year + 1):
            d = self.day(dt.date(y, month, day))
            if 0.0 <= d < self.horizon_days:
                out.append(d)
        return out
