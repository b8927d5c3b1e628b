"""Popular with customers like you: product popularity within the customer's RFM segment.

A customer's segment comes from ``labels`` (customer id -> segment name, e.g. the ``rfm_segment``
column of the saved ``segment`` run) or, without labels, is computed here from the interactions the
way :func:`shopmine.customers.segment_customers` scores RFM: recency = days since the last purchase
day, frequency = purchase days (a purchase is a customer-day, as for a shop without order ids),
monetary = net revenue, quintile scores and the named segment of the R and F scores.

A product's score for a segment is the share of the segment's customers who bought it (in the last
``window_days`` days when given); ties go to the product's buyers over the whole shop. A customer
without a segment (not in ``labels``) gets the shop-wide ranking.

The counts are an Ibis expression over the purchase days joined to the labels (:func:`segment_buyers`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import numpy as np
import pandas as pd

from shopmine.customers.rfm import rfm_scores
from shopmine.customers.rfm_segments import segment_name
from shopmine.recommend.base import (check_fitted, check_n, check_rows, csr_from_arrays, csr_to_arrays,
                                     score_in_chunks, top_n)
from shopmine.recommend.interactions import Interactions
from shopmine.recommend.popularity import RECENT_WINDOW_DAYS, _buyers_vector

__all__ = ["SegmentPopularity", "rfm_labels", "segment_buyers"]


def rfm_labels(data: Interactions) -> pd.Series:
    """The named RFM segment of every customer of ``data`` (index: customer id)."""
    days = data.days
    if data.n_customers < 2:  # quintiles rank customers against each other: one customer is its own segment
        return pd.Series("All customers", index=pd.Index(data.customer_ids, name="customer_id"), name="segment")
    per = days.groupby("customer_id").agg(last=("day", "max"), frequency=("day", "nunique"),
                                          monetary=("revenue", "sum"))
    per["recency_days"] = [(data.as_of - d).days for d in per["last"]]
    scored = rfm_scores(per.reset_index())
    names = [segment_name(r, f) for r, f in zip(scored["r_score"], scored["f_score"])]
    return pd.Series(names, index=pd.Index(scored["customer_id"], name="customer_id"), name="segment")


def segment_buyers(days: ibis.Table, labels: ibis.Table, *, as_of: dt.date,
                   window_days: int | None = None) -> ibis.Table:
    """Distinct buyers per segment and product before ``as_of`` (last ``window_days`` days when given).

    ``days``: ``customer_id, product_id, day``; ``labels``: ``customer_id, segment``.
    Returns ``segment, product_id, buyers`` (int64).
    """
    days = days.filter(days.day < ibis.date(as_of))
    if window_days is not None:
        days = days.filter(days.day >= ibis.date(as_of - dt.timedelta(days=window_days)))
    joined = days.inner_join(labels, "customer_id")
    return joined.group_by("segment", "product_id").aggregate(
        buyers=joined.customer_id.nunique().cast("int64"))


class SegmentPopularity:
    """Products by their share of buyers in the customer's segment.

    Parameters
    ----------
    labels : pandas.Series, optional
        Customer id -> segment name; default: RFM segments computed from the interactions.
    window_days : int, optional, default=30
        Count buyers of the last ``window_days`` days only; None: all history. 30 as for recent
        popularity; on a validation month inside the training period (Online Retail as of
        2011-10-11) it ranked better than 90 days or all history in both variants.
    """

    name = "popular_segment"

    def __init__(self, labels: pd.Series | None = None, window_days: int | None = RECENT_WINDOW_DAYS):
        self.labels = labels
        self.window_days = window_days

    def get_params(self) -> dict[str, Any]:
        return {"window_days": self.window_days}

    def fit(self, data: Interactions) -> SegmentPopularity:
        labels = rfm_labels(data) if self.labels is None else self.labels
        labels = pd.DataFrame({"customer_id": labels.index.astype(str), "segment": labels.astype(str).to_numpy()})
        labels = labels.drop_duplicates("customer_id")
        segments = np.asarray(sorted(labels["segment"].unique()), dtype=object)
        self.segments_ = segments
        # Each fitted customer's segment number (-1: none, then the shop-wide ranking).
        seg_of = pd.Series(np.arange(len(segments)), index=segments)
        row_seg = np.full(data.n_customers, -1, dtype=np.int64)
        rows = data.customer_index(labels["customer_id"].to_numpy())
        row_seg[rows[rows >= 0]] = seg_of[labels["segment"].to_numpy()[rows >= 0]].to_numpy()
        self.row_segment_ = row_seg
        self.segment_sizes_ = np.bincount(row_seg[row_seg >= 0], minlength=len(segments)).astype(np.float64)

        counts = segment_buyers(ibis.memtable(data.days[["customer_id", "product_id", "day"]]),
                                ibis.memtable(labels), as_of=data.as_of, window_days=self.window_days).to_pandas()
        shares = np.zeros((len(segments) + 1, data.n_products), dtype=np.float64)
        cols = data.product_index(counts["product_id"].to_numpy())
        segs = seg_of[counts["segment"].to_numpy()].to_numpy()
        ok = cols >= 0
        shares[segs[ok], cols[ok]] = counts["buyers"].to_numpy(dtype=np.float64)[ok]
        shares[:-1] /= np.maximum(self.segment_sizes_, 1.0)[:, None]
        # The last row: the shop-wide share, for customers without a segment.
        everyone = _buyers_vector(data, self.window_days)
        shares[-1] = everyone / max(data.n_customers, 1)
        self.shares_ = shares
        self.all_time_buyers_ = _buyers_vector(data, None)
        self.bought_ = data.matrix
        return self

    def score(self, rows: np.ndarray, n: int, *, exclude_bought: bool) -> tuple[np.ndarray, np.ndarray]:
        check_fitted(self, "shares_")
        rows, n = check_rows(rows, self.bought_.shape[0]), check_n(n)
        return score_in_chunks(lambda part: self.shares_[self.row_segment_[part]], rows, n,
                               self.bought_ if exclude_bought else None,
                               tiebreak=lambda part: self.all_time_buyers_)

    def segment_of(self, rows: np.ndarray) -> np.ndarray:
        """The segment name of each customer row (None: no segment)."""
        check_fitted(self, "shares_")
        seg = self.row_segment_[np.asarray(rows, dtype=np.int64)]
        return np.where(seg >= 0, self.segments_[np.maximum(seg, 0)], None)

    def rank_for_segment(self, segment: str | None, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` best product columns (and shares) for someone of ``segment`` (None or an
        unknown segment: the shop-wide ranking): the cold-start list of a new customer."""
        check_fitted(self, "shares_")
        hit = np.flatnonzero(self.segments_ == segment) if segment is not None else []
        row = self.shares_[hit[0] if len(hit) else -1]
        cols, vals = top_n(row[None, :], check_n(n), tiebreak=self.all_time_buyers_)
        return cols[0], vals[0]

    def to_arrays(self) -> dict[str, np.ndarray]:
        check_fitted(self, "shares_")
        return {"segments": self.segments_.astype(str), "row_segment": self.row_segment_,
                "segment_sizes": self.segment_sizes_, "shares": self.shares_,
                "all_time_buyers": self.all_time_buyers_, **csr_to_arrays(self.bought_, "bought")}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], params: dict[str, Any]) -> SegmentPopularity:
        model = cls(**params)
        model.segments_ = np.asarray(arrays["segments"], dtype=object)
        model.row_segment_ = np.asarray(arrays["row_segment"], dtype=np.int64)
        model.segment_sizes_ = np.asarray(arrays["segment_sizes"], dtype=np.float64)
        model.shares_ = np.asarray(arrays["shares"], dtype=np.float64)
        model.all_time_buyers_ = np.asarray(arrays["all_time_buyers"], dtype=np.float64)
        model.bought_ = csr_from_arrays(arrays, "bought")
        return model
