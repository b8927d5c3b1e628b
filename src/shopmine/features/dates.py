"""The as-of date and other day arguments (DESIGN.md, "Time").

Every feature table sees only the order lines strictly before its as-of date. These helpers turn the
user's argument into a plain ``datetime.date`` and compute the default: the day after the last order.
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError

__all__ = ["check_day", "default_as_of", "start_of_day"]


def check_day(value: object, name: str) -> dt.date:
    """Return ``value`` as a ``datetime.date`` or raise a readable error.

    Parameters
    ----------
    value : datetime.date, datetime.datetime at midnight or str
        A date, a midnight timestamp (``pandas.Timestamp`` included) or an ISO string ``YYYY-MM-DD``.
    name : str
        The argument's name, used in the error message.

    Returns
    -------
    datetime.date

    Raises
    ------
    ShopmineInputError
        When ``value`` is not a day (a time of day other than midnight would make "before the
        as-of date" ambiguous, so it is refused rather than silently truncated).
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise ShopmineInputError(
                f"'{name}' must be a day without a time of day or zone. Got {value!r}; "
                f"pass a datetime.date such as {value.date().isoformat()!r}."
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ShopmineInputError(
        f"'{name}' must be a date (datetime.date or 'YYYY-MM-DD'). Got {value!r} instead."
    )


def start_of_day(day: dt.date) -> ibis.expr.types.TimestampScalar:
    """The timestamp literal at midnight of ``day`` (for ``ordered_at < as_of`` comparisons)."""
    return ibis.timestamp(dt.datetime.combine(day, dt.time(0)))


def default_as_of(orders: ibis.Table) -> dt.date:
    """The default as-of date: the day after the date of the last order line.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema (only ``ordered_at`` is read).

    Returns
    -------
    datetime.date

    Raises
    ------
    ShopmineInputError
        When ``orders`` has no line with a timestamp.

    Examples
    --------
    >>> import datetime as dt, ibis
    >>> t = ibis.memtable({"ordered_at": [dt.datetime(2021, 3, 1, 23, 59)]})
    >>> default_as_of(t)
    datetime.date(2021, 3, 2)
    """
    if "ordered_at" not in orders.columns:
        raise ShopmineInputError("the orders table has no 'ordered_at' column; map the order time to it.")
    last = orders.ordered_at.max().execute()
    if last is None or last != last:  # None on an empty table, NaT (never equal to itself) too
        raise ShopmineInputError(
            "the orders table has no line with an 'ordered_at' time, so there is no default as-of "
            "date; load an order log first or pass as_of explicitly."
        )
    last_day = last.date() if isinstance(last, dt.datetime) else last
    return last_day + dt.timedelta(days=1)
