"""The standard named RFM segments from the R and F scores, their table and suggested actions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SEGMENTS", "RfmSegment", "segment_name", "segment_table"]


@dataclass(frozen=True)
class RfmSegment:
    """One named segment: the R and F scores it covers and what to do about its customers."""

    name: str
    r_scores: tuple[int, ...]
    f_scores: tuple[int, ...]
    action: str


#: The segments in report order; every (R, F) pair of 1..5 x 1..5 is in exactly one of them
#: (tests check it).
SEGMENTS: tuple[RfmSegment, ...] = (
    RfmSegment("Champions", (5,), (4, 5),
               "Reward them: early access, loyalty perks, ask for reviews and referrals."),
    RfmSegment("Loyal customers", (3, 4), (4, 5),
               "Upsell higher-value products; invite them to the loyalty programme."),
    RfmSegment("Potential loyalists", (4, 5), (2, 3),
               "Offer membership or a recommendation-based follow-up to build the habit."),
    RfmSegment("New customers", (5,), (1,),
               "Onboard them: welcome series, good first-order support, a second-purchase nudge."),
    RfmSegment("Promising", (4,), (1,),
               "Build awareness: recommendations from their first order, a small incentive."),
    RfmSegment("Need attention", (3,), (3,),
               "Reactivate with a limited-time, personalised offer before they slip."),
    RfmSegment("About to sleep", (3,), (1, 2),
               "Share popular products and a discount; reconnect before they lapse."),
    RfmSegment("At risk", (1, 2), (3, 4),
               "Win them back with personal emails and offers on what they used to buy."),
    RfmSegment("Can't lose them", (1, 2), (5,),
               "Contact them personally: ask what went wrong, offer the best win-back deal."),
    RfmSegment("Hibernating", (1, 2), (1, 2),
               "Low-cost reactivation only (newsletter, seasonal offers); do not overspend."),
)

_BY_SCORES = {(r, f): s.name for s in SEGMENTS for r in s.r_scores for f in s.f_scores}
_ACTIONS = {s.name: s.action for s in SEGMENTS}


def segment_name(r_score: int, f_score: int) -> str:
    """The segment of one (R, F) pair of scores 1-5.

    Examples
    --------
    >>> segment_name(5, 5)
    'Champions'
    >>> segment_name(1, 5)
    "Can't lose them"
    """
    return _BY_SCORES[(int(r_score), int(f_score))]


def segment_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Summarise customers per RFM segment.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``rfm_segment, recency_days, frequency, monetary``, one row per customer.

    Returns
    -------
    pandas.DataFrame
        One row per segment in :data:`SEGMENTS` order (segments without customers included, with 0
        customers): ``rfm_segment, customers, customer_share, revenue_share`` (share of the net
        revenue), ``avg_order_value`` (net revenue / purchases of the segment), ``avg_recency_days``,
        ``action``.
    """
    grouped = scored.groupby("rfm_segment", sort=False).agg(
        customers=("monetary", "size"), revenue=("monetary", "sum"), purchases=("frequency", "sum"),
        avg_recency_days=("recency_days", "mean"))
    table = grouped.reindex([s.name for s in SEGMENTS])
    table["customers"] = table["customers"].fillna(0).astype("int64")
    total_revenue = scored["monetary"].sum()
    table["customer_share"] = table["customers"] / max(len(scored), 1)
    # A shop whose net revenue is 0 (everything returned) has no meaningful revenue shares.
    table["revenue_share"] = table["revenue"] / total_revenue if total_revenue else np.nan
    table["avg_order_value"] = table["revenue"] / table["purchases"].where(table["purchases"] > 0)
    table["action"] = [_ACTIONS[name] for name in table.index]
    table = table.reset_index(names="rfm_segment")
    return table[["rfm_segment", "customers", "customer_share", "revenue_share", "avg_order_value",
                  "avg_recency_days", "action"]]
