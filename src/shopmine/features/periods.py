"""Periods of a panel: daily or ISO weeks, and the zero-filled grid of periods per series.

Both engines agree on these because they avoid engine-specific calendar functions where the engines
differ: a week is ``date_trunc('week', day)`` (the ISO Monday on DuckDB and Spark alike, also across
a year boundary, where ISO week numbers would not be), cast back to DATE because Spark's
``date_trunc`` returns a timestamp.
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import invalid_value

__all__ = ["FREQS", "check_freq", "last_period", "period_grid", "period_start"]

FREQS = ("D", "W")
_STEP_DAYS = {"D": 1, "W": 7}


def check_freq(freq: object) -> str:
    """Return ``freq`` if it is a supported panel frequency, else raise a readable error."""
    if freq not in FREQS:
        raise invalid_value("freq", "D (days) or W (ISO weeks starting on Monday)", freq)
    return str(freq)


def period_start(day: ibis.expr.types.DateValue, freq: str) -> ibis.expr.types.DateValue:
    """The first day of the period containing ``day``: the day itself or its ISO-week Monday."""
    if freq == "D":
        return day
    return day.truncate("W").cast("date")


def last_period(as_of: dt.date, freq: str) -> dt.date:
    """The start of the last period of a panel before ``as_of``.

    For days it is ``as_of - 1 day``; for weeks it is the Monday of the week containing
    ``as_of - 1 day`` (so a panel's last week may be partial).
    """
    last_day = as_of - dt.timedelta(days=1)
    if freq == "D":
        return last_day
    return last_day - dt.timedelta(days=last_day.weekday())  # weekday(): Monday = 0, as ISO


def period_grid(first: ibis.Table, *, end: dt.date, freq: str) -> ibis.Table:
    """Every period from each series' first period up to ``end``.

    Parameters
    ----------
    first : ibis.Table
        ``unique_id`` and ``first_ds`` (date, a period start) per series.
    end : datetime.date
        The last period start (from :func:`last_period`); series starting after it get no rows.
    freq : {"D", "W"}

    Returns
    -------
    ibis.Table
        ``unique_id, ds`` (date), one row per series and period.

    Notes
    -----
    Each series' periods are generated in the engine as an integer range that is unnested
    (DuckDB ``unnest(range(...))``, Spark ``explode(sequence(...))``), so the grid needs no calendar
    table from Python and no non-equi join, and the expression stays lazy.
    """
    step = _STEP_DAYS[freq]
    end_lit = ibis.date(end)
    counted = first.mutate(n=(end_lit.delta(first.first_ds, unit="day") // step).cast("int64"))
    # The unnest must be a top-level column on Spark (no generator nested in an expression).
    offsets = counted.select("unique_id", "first_ds", k=ibis.range(0, counted.n + 1).unnest())
    return offsets.select(
        "unique_id",
        ds=(offsets.first_ds + (offsets.k * step).as_interval("D")).cast("date"),
    )
