"""Working days in England: Monday to Friday, except the bank holidays of England and Wales.

Most of the model converts a limit in working days to calendar days at 7/5 (`schema.units`), which is right on
average. A limit that a case study shows by its date (the plan transferred "within 15 working days", SEND Regs 2014
reg 15(2)) needs the real calendar, so that a hand-worked date across Easter is the date the model gives.

The bank holidays follow the Banking and Financial Dealings Act 1971 (Schedule 1) and its usual substitutions, with
the one-off changes made by proclamation since 2010 (gov.uk/bank-holidays; not in /work/shared). A future one-off
(a jubilee, a funeral) is not known in advance, so dates after the last listed year follow the rules only.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from functools import lru_cache

# one-off changes by proclamation: (year) -> (dates added, dates removed)
SPECIAL = {
    2011: ((dt.date(2011, 4, 29),), ()),  # royal wedding
    2012: ((dt.date(2012, 6, 4), dt.date(2012, 6, 5)), (dt.date(2012, 5, 28),)),  # diamond jubilee
    2020: ((dt.date(2020, 5, 8),), (dt.date(2020, 5, 4),)),  # early May moved to VE day
    2022: ((dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19)), (dt.date(2022, 5, 30),)),  # jubilee;
    2023: ((dt.date(2023, 5, 8),), ()),  # coronation                          the state funeral
}


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=d.weekday())


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """The bank holidays of England and Wales in `year`."""
    easter = easter_sunday(year)
    days = {easter - dt.timedelta(days=2), easter + dt.timedelta(days=1), _first_monday(year, 5),
            _last_monday(year, 5), _last_monday(year, 8)}
    new_year = dt.date(year, 1, 1)
    days.add(new_year + dt.timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    xmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    if xmas.weekday() == 5:  # Saturday: Monday 27 and Tuesday 28
        days |= {dt.date(year, 12, 27), dt.date(year, 12, 28)}
    elif xmas.weekday() == 6:  # Sunday: Boxing Day Monday 26, Christmas substitute Tuesday 27
        days |= {boxing, dt.date(year, 12, 27)}
    elif boxing.weekday() == 5:  # Boxing Day Saturday: Monday 28
        days |= {xmas, dt.date(year, 12, 28)}
    else:
        days |= {xmas, boxing}
    added, removed = SPECIAL.get(year, ((), ()))
    return frozenset((days | set(added)) - set(removed))


def is_working_day(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in bank_holidays(d.year)


@lru_cache(maxsize=64)
def working_ordinals(year: int) -> tuple[int, ...]:
    """The working days of `year` as proleptic ordinals (`date.toordinal`), in order (Monday is the ordinal 1,
    so a day's weekday is `(ordinal + 6) % 7`, as `date.weekday` gives)."""
    holidays = {d.toordinal() for d in bank_holidays(year)}
    first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    return tuple(o for o in range(first, last + 1) if (o + 6) % 7 < 5 and o not in holidays)


def nth_working_day(start: dt.date, n: int) -> dt.date:
    """The last day of a period of `n` working days "beginning with" `start` (the statutory wording): `start` is the
    first of them if it is a working day, else the next working day is. (Found in each year's list of working days,
    not by stepping a day at a time: the same day, `tests/test_moves.py` checks it against the count.)"""
    if n < 1:
        raise ValueError("n must be at least 1")
    year = start.year
    days = working_ordinals(year)
    i = bisect_left(days, start.toordinal()) + n - 1
    while i >= len(days):
        i -= len(days)
        year += 1
        days = working_ordinals(year)
    return dt.date.fromordinal(days[i])


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days from `first` to `last`, both included (0 if `last` is before `first`)."""
    n, d = 0, first
    while d <= last:
        n += is_working_day(d)
        d += dt.timedelta(days=1)
    return n


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day where it is shorter)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def last_day_of_months(start: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` calendar months "beginning with" `start`: the day before the
    corresponding date, or the month's last day where there is no corresponding date (30 November + 3 months: 29
    February in a leap year, the corresponding date rule of Dodds v Walker [1981])."""
    end = add_months(start, months)
    return end if end.day < start.day else end - dt.timedelta(days=1)
