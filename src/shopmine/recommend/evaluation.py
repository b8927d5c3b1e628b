"""Held-out evaluation of recommendations: a temporal split and the ranking metrics.

The protocol (issue 13): models are fitted on purchases before the as-of date; the truth is what
customers seen in training bought in the ``horizon_days`` that follow (distinct products, net of
cancellations: a wholly cancelled test sale is no purchase). Two variants:

- ``all``: every test item counts; recommendations may repeat what the customer bought before.
- ``new``: only test items the customer never bought before the as-of date count, customers without
  such an item are left out, and recommendations leave out already-bought products.

Metrics at k, averaged over the test customers (a customer with fewer than k or no recommendations
simply scores what it scores):

- recall@k = hits / |truth|; precision@k = hits / k; hit_rate@k = share of customers with a hit;
- ndcg@k with binary relevance: DCG = sum over hits of 1 / log2(rank + 1), divided by the ideal DCG
  of min(k, |truth|) hits at ranks 1..;
- map@k = sum over hits of precision@rank, divided by min(k, |truth|);
- coverage = distinct recommended products (over all test customers) / catalogue size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from shopmine.errors import invalid_value
from shopmine.features.dates import check_day
from shopmine.recommend.base import CandidateModel
from shopmine.recommend.interactions import Interactions, build_interactions, purchase_days

__all__ = ["METRICS", "VARIANTS", "Split", "evaluate", "model_recommendations", "split_of", "temporal_split"]

METRICS = ("recall", "precision", "ndcg", "map", "hit_rate", "coverage")
VARIANTS = ("all", "new")


@dataclass(frozen=True)
class Split:
    """Training interactions before ``as_of`` and the test purchases of the next ``horizon_days``.

    ``truth_all``: ``customer_id, product_id`` bought in the test period by customers seen in
    training; ``truth_new``: those not bought by that customer before ``as_of``.
    """

    train: Interactions
    truth_all: pd.DataFrame
    truth_new: pd.DataFrame
    as_of: dt.date
    horizon_days: int

    def truth(self, variant: str) -> pd.DataFrame:
        if variant not in VARIANTS:
            raise invalid_value("variant", f"one of {', '.join(VARIANTS)}", variant)
        return self.truth_all if variant == "all" else self.truth_new


def check_horizon(horizon_days) -> int:
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, (int, np.integer)) or horizon_days < 1:
        raise invalid_value("horizon_days", "a whole number of days, at least 1", horizon_days)
    return int(horizon_days)


def held_out_purchases(orders: ibis.Table, *, start: dt.date, horizon_days: int,
                   products: ibis.Table | None = None) -> ibis.Table:
    """Distinct ``customer_id, product_id`` with a net sale in ``[start, start + horizon_days)``."""
    end = start + dt.timedelta(days=horizon_days)
    days = purchase_days(orders, as_of=end, products=products)
    days = days.filter(days.day >= ibis.date(start))
    return days.select("customer_id", "product_id").distinct()


def temporal_split(orders: ibis.Table, as_of: dt.date, horizon_days: int, *,
                   products: ibis.Table | None = None, train: Interactions | None = None) -> Split:
    """Train before ``as_of``; test on the ``horizon_days`` days from ``as_of`` (inclusive).

    ``train`` may be given when the interactions before ``as_of`` are already built.
    """
    as_of = check_day(as_of, "as_of")
    horizon_days = check_horizon(horizon_days)
    if train is None:
        train = build_interactions(orders, as_of=as_of, products=products)
    elif train.as_of != as_of:
        raise ValueError(f"train interactions are as of {train.as_of}, the split of {as_of}")
    test = held_out_purchases(orders, start=as_of, horizon_days=horizon_days, products=products).to_pandas()
    return split_of(train, test.astype({"customer_id": str, "product_id": str}), horizon_days)


def split_of(train: Interactions, bought: pd.DataFrame, horizon_days: int) -> Split:
    """The :class:`Split` of ``train`` and the distinct ``customer_id, product_id`` (str) ``bought`` in the
    ``horizon_days`` from ``train.as_of``: the truths keep customers seen in training; new items are
    those the customer never bought before."""
    test = bought[train.customer_index(bought["customer_id"].to_numpy()) >= 0]
    test = test.sort_values(["customer_id", "product_id"], ignore_index=True)
    seen = pd.DataFrame({"customer_id": train.days["customer_id"], "product_id": train.days["product_id"]})
    seen = seen.drop_duplicates().assign(_seen=True)
    marked = test.merge(seen, on=["customer_id", "product_id"], how="left")
    new = test[marked["_seen"].isna().to_numpy()].reset_index(drop=True)
    return Split(train=train, truth_all=test, truth_new=new, as_of=train.as_of, horizon_days=horizon_days)


def model_recommendations(model: CandidateModel, data: Interactions, customer_ids, k: int, *,
                          exclude_bought: bool) -> pd.DataFrame:
    """A fitted model's top-k for known customers: ``customer_id, product_id, rank, score`` (ranks
    1..; a customer the model has fewer candidates for gets fewer rows; unknown ids are skipped)."""
    ids = np.asarray(customer_ids, dtype=object)
    rows = data.customer_index(ids)
    ids, rows = ids[rows >= 0], rows[rows >= 0]
    cols, scores = model.score(rows, k, exclude_bought=exclude_bought)
    rank = np.broadcast_to(np.arange(1, k + 1), cols.shape)
    keep = cols >= 0
    return pd.DataFrame({
        "customer_id": np.repeat(ids, k).reshape(cols.shape)[keep].astype(str),
        "product_id": data.product_ids[cols[keep]].astype(str),
        "rank": rank[keep].astype(np.int64),
        "score": scores[keep],
    })


def evaluate(recs: pd.DataFrame, truth: pd.DataFrame, k: int, n_catalogue: int) -> dict[str, float]:
    """Ranking metrics at ``k`` of ``recs`` against ``truth`` (see the module docstring).

    Parameters
    ----------
    recs : pandas.DataFrame
        ``customer_id, product_id, rank`` (rank 1 = best). Rows of customers not in ``truth`` and
        ranks beyond ``k`` are ignored.
    truth : pandas.DataFrame
        ``customer_id, product_id``: the test items of each test customer.
    k : int
        Cut-off, at least 1.
    n_catalogue : int
        Number of products that could be recommended (denominator of coverage).

    Returns
    -------
    dict
        ``recall, precision, ndcg, map, hit_rate, coverage`` (floats; nan without test customers)
        and ``customers`` (number of test customers).

    Examples
    --------
    >>> truth = pd.DataFrame({"customer_id": ["c", "c"], "product_id": ["A", "C"]})
    >>> recs = pd.DataFrame({"customer_id": ["c"] * 3, "product_id": ["A", "B", "C"], "rank": [1, 2, 3]})
    >>> m = evaluate(recs, truth, k=3, n_catalogue=4)
    >>> round(m["recall"], 4), round(m["precision"], 4), round(m["map"], 4), m["coverage"]
    (1.0, 0.6667, 0.8333, 0.75)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise invalid_value("k", "a whole number of at least 1", k)
    truth = truth[["customer_id", "product_id"]].astype(str).drop_duplicates()
    sizes = truth.groupby("customer_id").size().rename("n_truth")
    n_customers = len(sizes)
    if n_customers == 0:
        return {**dict.fromkeys(METRICS, float("nan")), "customers": 0}
    top = recs.loc[recs["rank"] <= k, ["customer_id", "product_id", "rank"]].astype(
        {"customer_id": str, "product_id": str})
    top = top[top["customer_id"].isin(sizes.index)]
    if top.duplicated(["customer_id", "product_id"]).any():
        raise ValueError("recs recommend a product twice to one customer")
    hits = top.merge(truth, on=["customer_id", "product_id"], how="inner").sort_values(["customer_id", "rank"])
    # Precision at each hit's rank: the hit's position among the customer's hits / its rank.
    hits["nth_hit"] = hits.groupby("customer_id").cumcount() + 1
    hits["gain"] = 1.0 / np.log2(hits["rank"].to_numpy(dtype=np.float64) + 1.0)
    hits["prec_at"] = hits["nth_hit"] / hits["rank"]
    per = hits.groupby("customer_id").agg(n_hits=("rank", "size"), dcg=("gain", "sum"), ap=("prec_at", "sum"))
    per = per.reindex(sizes.index, fill_value=0.0).join(sizes)
    ideal_n = np.minimum(per["n_truth"].to_numpy(), k)
    discounts = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))
    idcg = discounts[ideal_n - 1]
    return {
        "recall": float((per["n_hits"] / per["n_truth"]).mean()),
        "precision": float((per["n_hits"] / k).mean()),
        "ndcg": float((per["dcg"] / idcg).mean()),
        "map": float((per["ap"] / ideal_n).mean()),
        "hit_rate": float((per["n_hits"] > 0).mean()),
        "coverage": float(top["product_id"].nunique() / n_catalogue) if n_catalogue else float("nan"),
        "customers": n_customers,
    }
