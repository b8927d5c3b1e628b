"""Days whose order-line count collapses against the same weekday's usual count.

A partial export, a broken tracking tag or an outage shows as a day with far fewer lines than the
same weekday usually has (a weekday median, so that shops closed on Sundays are not flagged every
Sunday). Days without a line inside the range count as 0 lines.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["COLLAPSE_SHARE", "collapsed_days"]

#: A day is flagged below this share of its weekday's median line count.
COLLAPSE_SHARE = 0.25


def collapsed_days(daily: pd.DataFrame, share: float = COLLAPSE_SHARE) -> pd.DataFrame:
    """Days with fewer lines than ``share`` × the median of the same weekday.

    Parameters
    ----------
    daily : pandas.DataFrame
        ``day, lines``: line counts of the days with lines.
    share : float, default=0.25

    Returns
    -------
    pandas.DataFrame
        ``day`` (date), ``weekday`` (Monday ...), ``lines`` (int) and ``weekday_median`` (float) of
        the flagged days, by day. Weekdays whose median is 0 (days the shop is closed) flag nothing.
    """
    columns = ["day", "weekday", "lines", "weekday_median"]
    if daily.empty:
        return pd.DataFrame(columns=columns)
    counts = daily.assign(day=pd.to_datetime(daily["day"])).set_index("day")["lines"]
    counts = counts.reindex(pd.date_range(counts.index.min(), counts.index.max(), freq="D"), fill_value=0)
    frame = pd.DataFrame({"day": counts.index, "lines": counts.to_numpy().astype("int64")})
    frame["weekday"] = frame["day"].dt.day_name()
    frame["weekday_median"] = frame.groupby("weekday")["lines"].transform("median").astype(float)
    flagged = frame[(frame["weekday_median"] > 0) & (frame["lines"] < share * frame["weekday_median"])]
    flagged = flagged.assign(day=flagged["day"].dt.date)
    return flagged[columns].reset_index(drop=True)
