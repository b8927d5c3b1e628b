"""Price sensitivity per customer cluster: the seed's k-means clusters, an elasticity for each.

Clusters come from the caller (e.g. the segment run's ``cluster`` column) or from k-means on standardised
price-behaviour features computed here (:func:`price_behaviour`):

- ``discount_share``: share of the units a customer bought below list price;
- ``paid_vs_list``: what they paid over the list value of what they bought (1: always the list price);
- ``relative_price``: what they paid per unit against the product's average paid price over all
  customers (below 1: they buy when the price is low, i.e. they respond to price changes).

A cluster's elasticity is one pooled count model of its own sale lines per product and day
(:func:`shopmine.pricing.counts.pooled_fit`: each product's intercept, a shared price slope, trend,
the cluster's traffic and the promotions' display lift as controls), with a normal interval.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features.dates import check_day, start_of_day
from shopmine.features.lines import classify_lines
from shopmine.features.price_points import price_points
from shopmine.pricing.counts import PRICE, count_column, pooled_fit
from shopmine.pricing.elasticity import confidence_z, elasticity_status
from shopmine.pricing.loglog import design_frame
from shopmine.pricing.points import check_points

__all__ = ["BEHAVIOUR_FEATURES", "CLUSTER_COLUMNS", "MIN_PRODUCTS", "cluster_elasticities", "price_behaviour", "price_clusters"]

BEHAVIOUR_FEATURES = ("discount_share", "paid_vs_list", "relative_price")
#: A cluster's pooled model needs this many products that its customers bought more than once on at
#: least five days (:data:`shopmine.pricing.counts.MIN_REPEATS`); with fewer (a cluster of one-time
#: buyers) the slope is noise and the status says "too little variation".
MIN_PRODUCTS = 10
#: The pooled model's controls: traffic and the display lift, without the extra response to a
#: promotion's depth that the products' models allow for (:mod:`shopmine.pricing.counts`). A shop's
#: response to promotions is steeper than to its regular prices because deal-prone customers crowd
#: into them: a mixture of groups, which is what clusters take apart. Within a cluster a price is a
#: price (on the simulated shop, with the extra term the bargain hunters' -2.99 came out at -2.70,
#: without it at -2.97).
CLUSTER_CONTROLS = ("log_traffic", "discount_share")
CLUSTER_COLUMNS = ("cluster", "elasticity", "elasticity_lo", "elasticity_hi", "n_customers", "discount_share",
                   "paid_vs_list", "status", "relative_price", "n_lines")


def price_behaviour(orders: ibis.Table, *, as_of: dt.date) -> ibis.Table:
    """Per customer with a sale before ``as_of``: ``customer_id``, ``units``, ``n_lines`` and
    :data:`BEHAVIOUR_FEATURES` (see the module)."""
    as_of = check_day(as_of, "as_of")
    lines = classify_lines(orders, before=as_of, bulk=False)
    sales = lines.filter(lines.is_sale)
    # The product's average paid price over every buyer: the yardstick of "bought when cheap".
    typical = sales.sale_revenue.sum().over(group_by=sales.product_id) / \
        sales.sale_units.sum().over(group_by=sales.product_id)
    sales = sales.mutate(relative_value=sales.sale_units * sales.unit_price / typical)
    sales = sales.filter(sales.customer_id.notnull())
    per = sales.group_by("customer_id").aggregate(
        units=sales.sale_units.sum(),
        n_lines=sales.count(),
        discounted=sales.discounted_units.sum(),
        revenue=sales.sale_revenue.sum(),
        list_value=sales.sale_list_value.sum(),
        relative_value=sales.relative_value.sum(),
    )
    return per.select(
        "customer_id", "units", "n_lines",
        discount_share=per.discounted / per.units,
        paid_vs_list=per.revenue / per.list_value.nullif(0.0),
        relative_price=per.relative_value / per.units,
    ).order_by("customer_id")


def price_clusters(behaviour: pd.DataFrame, *, n_clusters: int = 4, random_state: int = 0) -> pd.DataFrame:
    """k-means on the standardised :data:`BEHAVIOUR_FEATURES`: ``customer_id, cluster`` (0 .. k-1,
    numbered from the most discount-prone cluster down)."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int) or n_clusters < 2:
        raise invalid_value("n_clusters", "an int of at least 2", n_clusters)
    features = behaviour[list(BEHAVIOUR_FEATURES)].astype(float).fillna(1.0)
    if len(features) < n_clusters:
        raise ShopmineInputError(f"{{n_clusters}} is {n_clusters} but only {len(features)} customers bought "
                                 "before the as-of date; ask for fewer clusters.", "n_clusters")
    scaled = StandardScaler().fit_transform(features.to_numpy())
    labels = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state).fit_predict(scaled)
    # Stable names: rank the clusters by their mean discount share (0 = the bargain hunters).
    order = pd.Series(features["discount_share"].to_numpy()).groupby(labels).mean().rank(
        ascending=False, method="first").astype(int) - 1
    return pd.DataFrame({"customer_id": behaviour["customer_id"].to_numpy(), "cluster": order[labels].to_numpy()})


def _check_clusters(clusters: object) -> pd.DataFrame:
    if not isinstance(clusters, pd.DataFrame) or not {"customer_id", "cluster"} <= set(clusters.columns):
        raise ShopmineInputError("{clusters} must be a DataFrame with the columns customer_id and cluster "
                                 "(e.g. the segment run's customers table).", "clusters")
    out = clusters[["customer_id", "cluster"]].dropna(subset=["customer_id"]).copy()
    out["customer_id"] = out["customer_id"].astype(str)
    return out.drop_duplicates("customer_id")


def _midpoint(orders: ibis.Table, as_of: dt.date) -> dt.date:
    """The day halfway between the first order line and ``as_of``."""
    first = pd.Timestamp(orders.ordered_at.min().execute()).date()
    return first + (as_of - first) / 2 if first < as_of else as_of


def cluster_elasticities(orders: ibis.Table, clusters: pd.DataFrame | None = None, *, as_of: dt.date,
                         freq: str = "D", products: ibis.Table | None = None, n_clusters: int = 4,
                         features_before: dt.date | None = None, confidence: float = 0.95,
                         random_state: int = 0, exclude: list[str] | None = None) -> pd.DataFrame:
    """An elasticity with an interval per customer cluster.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    clusters : pandas.DataFrame, optional
        ``customer_id, cluster`` (e.g. the segment run's customers); the elasticities use every line
        before ``as_of``. By default, k-means clusters on the price behaviour (:func:`price_clusters` of
        :func:`price_behaviour`) of the lines before ``features_before``, and the elasticities the lines
        from that day to ``as_of``: clustering and estimating on the same purchases would put the
        customers who happened to buy at full price in one cluster and make it look insensitive (on
        the simulated shop the least discount-prone cluster came out at -0.73 against a truth of -1.45
        that way, at -1.30 against -1.44 with the split).
    as_of : datetime.date
        Only lines before it are used.
    freq : {"D", "W"}, default="D"
        Periods of the cluster's price points (the count model wants days: see
        :mod:`shopmine.pricing.elasticity`).
    products : ibis.Table, optional
        As for :func:`shopmine.features.price_points`.
    n_clusters : int, default=4
        k of the k-means (when ``clusters`` is not given).
    features_before : datetime.date, optional
        Where the k-means features end and the estimation starts (default: halfway between the first
        order line and ``as_of``); unused with ``clusters``.
    confidence : float, default=0.95
    random_state : int, default=0
    exclude : list of str, optional
        Product ids left out of every cluster's model: those the shop sells on a price schedule
        (:mod:`shopmine.pricing.schedule`), whose price variation is who bought, not a price change.

    Returns
    -------
    pandas.DataFrame
        :data:`CLUSTER_COLUMNS`, one row per cluster: the elasticity and its interval, the cluster's
        customers, the means of the behaviour features over them (of the features' period), the sale
        lines its elasticity was estimated from, and a status (``"ok"``, ``"not significant"``, ``"not
        negative"`` or ``"too little variation"`` when the pooled model cannot be fitted or has fewer
        than :data:`MIN_PRODUCTS` products to learn from).
    """
    z = confidence_z(confidence)
    as_of = check_day(as_of, "as_of")
    sales = orders
    if clusters is None:
        split = _midpoint(orders, as_of) if features_before is None else check_day(features_before,
                                                                                  "features_before")
        if not split < as_of:
            raise invalid_value("features_before", f"a day before as_of ({as_of})", split)
        behaviour = price_behaviour(orders, as_of=split).to_pandas()
        clusters = price_clusters(behaviour, n_clusters=n_clusters, random_state=random_state)
        sales = orders.filter(orders.ordered_at >= start_of_day(split))
    else:
        behaviour = price_behaviour(orders, as_of=as_of).to_pandas()
    behaviour["customer_id"] = behaviour["customer_id"].astype(str)
    members = behaviour.merge(_check_clusters(clusters), on="customer_id", how="inner")
    rows = []
    for cluster, group in members.groupby("cluster", sort=True):
        ids = ibis.memtable(pd.DataFrame({"member_id": group["customer_id"].astype(str)}))
        own = sales.semi_join(ids, sales.customer_id.cast("string") == ids.member_id)
        points = check_points(price_points(own, as_of=as_of, freq=freq, products=products).to_pandas())
        design = design_frame(points)
        if exclude:
            design = design[~design["product_id"].isin(set(map(str, exclude)))]
        fit = pooled_fit(design, count_column(design), min_products=MIN_PRODUCTS,
                         shared=CLUSTER_CONTROLS) if len(design) else None
        estimate, se = fit[PRICE] if fit and PRICE in fit else (np.nan, np.nan)
        lo, hi = estimate - z * se, estimate + z * se
        lines = int(points["n_lines"].sum()) if "n_lines" in points.columns else int(len(points))
        rows.append({"cluster": cluster, "elasticity": estimate, "elasticity_lo": lo, "elasticity_hi": hi,
                     "n_customers": len(group), "discount_share": group["discount_share"].mean(),
                     "paid_vs_list": group["paid_vs_list"].mean(), "status": elasticity_status(estimate, hi),
                     "relative_price": group["relative_price"].mean(), "n_lines": lines})
    return pd.DataFrame(rows, columns=list(CLUSTER_COLUMNS))
