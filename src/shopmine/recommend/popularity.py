"""Popular products: the same list for everyone, the baseline every personal model must beat.

Popularity is the number of distinct BUYERS of a product (not units, not lines: one wholesaler's
thousand units is one vote). ``window_days=None`` counts the whole history (global popularity);
a window counts the buyers of the last ``window_days`` days before the as-of date (recent
popularity). The default recent window is 30 days: about one purchase cycle of a frequent buyer and
short enough to follow seasons and new products, while in a shop of a few thousand customers still
counting enough buyers per product to rank (it is a parameter, chosen on a validation split when
tuned). Products equally popular in the window are ordered by their all-time buyers, so the list is
always full.

The counts are an Ibis expression (:func:`product_buyers`): over a warehouse's order lines
(:func:`~shopmine.recommend.interactions.purchase_days`) they run on DuckDB or Spark; ``fit``
runs the same expression over the interactions' per-day frame.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import numpy as np

from shopmine.recommend.base import (check_fitted, check_n, check_rows, csr_from_arrays, csr_to_arrays,
                                     score_in_chunks, top_n)
from shopmine.recommend.interactions import Interactions

__all__ = ["RECENT_WINDOW_DAYS", "Popularity", "product_buyers"]

RECENT_WINDOW_DAYS = 30


def product_buyers(days: ibis.Table, *, as_of: dt.date, window_days: int | None = None) -> ibis.Table:
    """Distinct buyers per product before ``as_of`` (in the last ``window_days`` days when given).

    Parameters
    ----------
    days : ibis.Table
        ``customer_id, product_id, day``: purchase days, e.g.
        :func:`~shopmine.recommend.interactions.purchase_days`.

    Returns
    -------
    ibis.Table
        ``product_id`` (string), ``buyers`` (int64).
    """
    days = days.filter(days.day < ibis.date(as_of))
    if window_days is not None:
        days = days.filter(days.day >= ibis.date(as_of - dt.timedelta(days=window_days)))
    return days.group_by("product_id").aggregate(buyers=days.customer_id.nunique().cast("int64"))


def _buyers_vector(data: Interactions, window_days: int | None) -> np.ndarray:
    """The buyers of each product column of ``data`` (0 where none in the window)."""
    days = ibis.memtable(data.days[["customer_id", "product_id", "day"]])
    counts = product_buyers(days, as_of=data.as_of, window_days=window_days).to_pandas()
    out = np.zeros(data.n_products, dtype=np.float64)
    cols = data.product_index(counts["product_id"].to_numpy())
    out[cols[cols >= 0]] = counts["buyers"].to_numpy(dtype=np.float64)[cols >= 0]
    return out


class Popularity:
    """Most-bought products by distinct buyers, the same ranking for every customer.

    Parameters
    ----------
    window_days : int, optional
        Count the buyers of the last ``window_days`` days only (recent popularity); None: all history.
    name : str, optional
        Default ``"popular"`` (all history) or ``"popular_recent"`` (with a window).
    """

    def __init__(self, window_days: int | None = None, name: str | None = None):
        self.window_days = window_days
        self.name = name or ("popular" if window_days is None else "popular_recent")

    def fit(self, data: Interactions) -> Popularity:
        if self.window_days is not None and (isinstance(self.window_days, bool)
                                             or not isinstance(self.window_days, int) or self.window_days < 1):
            raise ValueError(f"window_days must be a whole number of at least 1 or None; got {self.window_days!r}")
        self.bought_ = data.matrix
        self.buyers_ = _buyers_vector(data, self.window_days)
        self.all_time_buyers_ = (self.buyers_ if self.window_days is None
                                 else _buyers_vector(data, None))
        return self

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "buyers_")
        rows, n = check_rows(rows, self.bought_.shape[0]), check_n(n)
        bought = self.bought_ if exclude_bought else None
        return score_in_chunks(lambda part: np.broadcast_to(self.buyers_, (len(part), len(self.buyers_))),
                               rows, n, bought, tiebreak=lambda part: self.all_time_buyers_)

    def rank_products(self, n: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` most popular product columns (and buyer counts) for someone unknown, leaving out
        the columns in ``exclude``: the cold-start list."""
        check_fitted(self, "buyers_")
        scores = self.buyers_.copy()
        if exclude is not None and len(exclude):
            scores[np.asarray(exclude, dtype=np.int64)] = -np.inf
        cols, vals = top_n(scores[None, :], check_n(n), tiebreak=self.all_time_buyers_)
        return cols[0], vals[0]

    def to_arrays(self) -> dict[str, np.ndarray]:
        check_fitted(self, "buyers_")
        return {"buyers": self.buyers_, "all_time_buyers": self.all_time_buyers_,
                **csr_to_arrays(self.bought_, "bought")}

    def get_params(self) -> dict[str, Any]:
        return {"window_days": self.window_days, "name": self.name}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> Popularity:
        model = cls(**params)
        model.bought_ = csr_from_arrays(arrays, "bought")
        model.buyers_ = np.asarray(arrays["buyers"], dtype=np.float64)
        model.all_time_buyers_ = np.asarray(arrays["all_time_buyers"], dtype=np.float64)
        return model
