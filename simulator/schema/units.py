"""Time units. The simulation clock is in calendar days; every statutory limit is converted here.

Conventions (documented once, used everywhere):
- a week is 7 days;
- a month is 365.25 / 12 = 30.4375 days (appeal deadlines are "2 months", "1 month");
- a working day is 7/5 of a calendar day (no bank holidays), so 3 working days = 4.2 days; where the route has a
  date it counts them on the calendar instead (`engine.core.workdays`: a plan's transfer, the mediation certificate);
- a year is 365.25 days.
"""

from __future__ import annotations

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
