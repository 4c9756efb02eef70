"""Simulation days and the calendar: dates, calendar years and fixed dates each year, from a start date.

The clock is in days from the scenario's start date (day 0); the conversions of statutory limits to days are in
`schema.units`, so this module only maps days to dates and back.
"""

from __future__ import annotations

import datetime as dt


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
