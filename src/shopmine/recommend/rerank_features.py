"""Features of (customer, product) candidate pairs for the learned re-ranker, all computed from the
purchase days before the as-of date (:attr:`Interactions.days`), so that the same code describes the
earlier training split and the present.

Per pair (the customer's history with the product):
``pair_days`` (purchase days of it), ``pair_since_last`` / ``pair_since_first`` (days), ``pair_cycle``
(mean days between its purchase days, nan with one), ``pair_due`` (days since last / cycle: about 1
when it is due again), ``pair_units``, ``pair_share`` (its share of the customer's purchase days).
Per product: ``item_buyers`` (distinct customers ever), ``item_buyers_30`` / ``item_buyers_90`` (in
the last 30 / 90 days), ``item_trend`` (last 30 days against the 60 before, per day), ``item_age``
(days since its first sale), ``item_since_last`` (days since its last sale), ``item_price``
(median unit price paid).
Per customer: ``cust_days`` (purchase days), ``cust_products`` (distinct products), ``cust_since_last``,
``cust_since_first``, ``cust_cycle`` (mean days between purchase days), ``cust_spend_day`` (mean
spend per purchase day), ``cust_price`` (median unit price paid); and ``price_ratio`` = item price /
customer's usual unit price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopmine.recommend.interactions import Interactions

__all__ = ["FEATURES", "FeatureTables", "add_features", "customer_features", "feature_tables", "indexed_days",
           "item_features", "pair_features"]

PAIR = ["pair_days", "pair_since_last", "pair_since_first", "pair_cycle", "pair_due", "pair_units", "pair_share"]
ITEM = ["item_buyers", "item_buyers_30", "item_buyers_90", "item_trend", "item_age", "item_since_last",
        "item_price"]
CUSTOMER = ["cust_days", "cust_products", "cust_since_last", "cust_since_first", "cust_cycle",
            "cust_spend_day", "cust_price"]
FEATURES = PAIR + ITEM + CUSTOMER + ["price_ratio"]


def indexed_days(data: Interactions) -> pd.DataFrame:
    """``data.days`` with integer ``row``, ``col`` and ``age`` (days before ``as_of``, at least 1)."""
    days = data.days
    as_of = np.datetime64(data.as_of, "D")
    day = pd.to_datetime(days["day"]).to_numpy().astype("datetime64[D]")
    return pd.DataFrame({
        "row": data.customer_index(days["customer_id"].to_numpy()),
        "col": data.product_index(days["product_id"].to_numpy()),
        "age": (as_of - day).astype(np.int64),
        "units": days["units"].to_numpy(dtype=np.float64),
        "revenue": days["revenue"].to_numpy(dtype=np.float64),
    })


def pair_features(days: pd.DataFrame) -> pd.DataFrame:
    """Per (row, col) bought before as_of: the pair features (index row, col)."""
    g = days.groupby(["row", "col"], sort=False)
    out = pd.DataFrame({"pair_days": g.size().astype(np.float64), "pair_since_last": g["age"].min(),
                        "pair_since_first": g["age"].max(), "pair_units": g["units"].sum()})
    span = out["pair_since_first"] - out["pair_since_last"]
    out["pair_cycle"] = np.where(out["pair_days"] > 1, span / (out["pair_days"] - 1).clip(lower=1), np.nan)
    out["pair_due"] = out["pair_since_last"] / out["pair_cycle"]
    cust_days = days.groupby("row")["age"].nunique()
    out["pair_share"] = out["pair_days"] / cust_days.reindex(out.index.get_level_values("row")).to_numpy()
    return out.astype(np.float64)


def item_features(days: pd.DataFrame, n_products: int) -> pd.DataFrame:
    """Per product column (index 0..n_products-1): the item features."""
    g = days.groupby("col")
    recent = days[days["age"] <= 30].groupby("col")["row"].nunique()
    before = days[(days["age"] > 30) & (days["age"] <= 90)].groupby("col")["row"].nunique()
    price = (days["revenue"] / days["units"].where(days["units"] > 0)).groupby(days["col"]).median()
    out = pd.DataFrame(index=pd.RangeIndex(n_products, name="col"))
    out["item_buyers"] = g["row"].nunique()
    out["item_buyers_30"] = recent
    out["item_buyers_90"] = before.add(recent, fill_value=0)
    out = out.fillna({"item_buyers": 0, "item_buyers_30": 0, "item_buyers_90": 0})
    # Per day, last 30 days against the 60 before; +1 so that a new product's trend is finite.
    out["item_trend"] = (out["item_buyers_30"] / 30 + 1 / 60) / (before.reindex(out.index).fillna(0) / 60 + 1 / 60)
    out["item_age"] = g["age"].max()
    out["item_since_last"] = g["age"].min()
    out["item_price"] = price
    return out.astype(np.float64)


def customer_features(days: pd.DataFrame) -> pd.DataFrame:
    """Per customer row: the customer features."""
    per_day = days.groupby(["row", "age"], sort=False)["revenue"].sum().reset_index()
    g = per_day.groupby("row")
    out = pd.DataFrame({"cust_days": g.size().astype(np.float64), "cust_since_last": g["age"].min(),
                        "cust_since_first": g["age"].max(), "cust_spend_day": g["revenue"].mean()})
    out["cust_products"] = days.groupby("row")["col"].nunique()
    span = out["cust_since_first"] - out["cust_since_last"]
    out["cust_cycle"] = np.where(out["cust_days"] > 1, span / (out["cust_days"] - 1).clip(lower=1), np.nan)
    price = days["revenue"] / days["units"].where(days["units"] > 0)
    out["cust_price"] = price.groupby(days["row"]).median()
    return out.astype(np.float64)


@dataclass(frozen=True)
class FeatureTables:
    """The three feature tables of one as-of date: ``pairs`` (index row, col: every bought pair),
    ``items`` (index col, every product), ``customers`` (index row, every customer)."""

    pairs: pd.DataFrame
    items: pd.DataFrame
    customers: pd.DataFrame


def feature_tables(data: Interactions) -> FeatureTables:
    """The feature tables of ``data`` at its as-of date."""
    days = indexed_days(data)
    return FeatureTables(pairs=pair_features(days), items=item_features(days, data.n_products),
                         customers=customer_features(days).reindex(pd.RangeIndex(data.n_customers, name="row")))


def add_features(candidates: pd.DataFrame, tables: FeatureTables) -> pd.DataFrame:
    """``candidates`` (columns ``row, col`` and any model columns) with :data:`FEATURES` added."""
    out = candidates.join(tables.pairs, on=["row", "col"])
    out["pair_days"] = out["pair_days"].fillna(0.0)
    out["pair_share"] = out["pair_share"].fillna(0.0)
    out = out.join(tables.items, on="col").join(tables.customers, on="row")
    out["price_ratio"] = out["item_price"] / out["cust_price"]
    return out
