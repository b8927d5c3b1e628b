"""The segment analysis: RFM segments and behaviour clusters of a shop's customers in one result."""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.customers.behaviour import behaviour_features, no_customers_reason
from shopmine.customers.clusters import BehaviourClusters
from shopmine.customers.rfm import rfm_scores
from shopmine.customers.rfm_segments import segment_name, segment_table
from shopmine.customers.value_figures import pareto_figure, segment_shares_figure, top_share
from shopmine.errors import ShopmineInputError
from shopmine.result import AnalysisResult

__all__ = ["OUTPUT_COLUMNS", "segment_customers"]

#: Columns of the customers table ``shopmine segment`` writes (the issue's output contract).
OUTPUT_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
                  "rfm_segment", "cluster"]


def segment_customers(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    products: ibis.Table | None = None,
    k: int | None = None,
    seed: int = 42,
) -> AnalysisResult:
    """RFM scores and segments plus k-means behaviour clusters of every customer before ``as_of``.

    A purchase is an order (a customer-day where the export has no order id); recency, frequency
    and net monetary value are those of :func:`shopmine.features.customer_summary`.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Only lines before this day count.
    products : ibis.Table, optional
        ``product_id, category`` for lines without a category.
    k : int, optional
        Number of behaviour clusters; default: chosen by silhouette over 2..10.
    seed : int, default=42
        Seed of k-means, the silhouette sample and the plot sample.

    Returns
    -------
    AnalysisResult
        Tables ``rfm_segments`` (customers, shares, average order value, recency and action per
        segment), ``customers`` (:data:`OUTPUT_COLUMNS`), ``cluster_profiles``, ``k_choice``,
        ``behaviour_features``; metrics; figures ``clusters_2d`` and ``k_choice`` (when k > 1).

    Raises
    ------
    ShopmineInputError
        Fewer than 2 customers (an as-of date on or before the first order says so), a sale or return
        line without a price, or an invalid ``k``/``seed``.
    """
    # A fixed row order (the engine's is arbitrary): k-means' initialisation depends on it.
    features = (behaviour_features(orders, as_of=as_of, products=products).to_pandas()
                .sort_values("customer_id", ignore_index=True))
    if len(features) == 0:
        raise ShopmineInputError(f"segmenting needs at least 2 customers with a purchase before {as_of}; found 0: "
                                 + no_customers_reason(orders, as_of))
    if len(features) < 2:
        raise ShopmineInputError(
            f"segmenting needs at least 2 customers with a purchase before {as_of}; found {len(features)}. "
            "Load more orders or choose a later {as_of}.", "as_of")
    clusters = BehaviourClusters(k=k, seed=seed).fit(features)
    scored = rfm_scores(features)
    scored["rfm_segment"] = [segment_name(r, f) for r, f in zip(scored["r_score"], scored["f_score"])]
    scored["cluster"] = clusters.labels_
    segments = segment_table(scored)
    # Most valuable first: the rows a merchant acts on come before the long tail.
    customers = scored[OUTPUT_COLUMNS].sort_values(["monetary", "customer_id"], ascending=[False, True],
                                                   ignore_index=True)

    largest = segments.sort_values("customers", ascending=False).iloc[0]
    top_revenue = segments.sort_values("revenue_share", ascending=False).iloc[0]
    chosen_by = "given" if k is not None else ("no clusters possible" if clusters.k_ == 1 else "silhouette over 2..10")
    metrics = {
        "as_of": as_of, "customers": len(customers), "rfm_segments_used": int((segments["customers"] > 0).sum()),
        "largest_segment": largest["rfm_segment"], "top_revenue_segment": top_revenue["rfm_segment"],
        "k": clusters.k_, "k_chosen_by": chosen_by, "silhouette": clusters.silhouette_,
        "silhouette_sample_size": clusters.silhouette_sample_size, "seed": seed,
        "cluster_features": clusters.features_, "cluster_note": clusters.note_,
    }
    silhouette_text = f", silhouette {clusters.silhouette_:.3f}" if clusters.silhouette_ is not None else ""
    summary = (f"{len(customers):,} customers as of {as_of}. Largest RFM segment: {largest['rfm_segment']} "
               f"({largest['customer_share']:.0%} of customers); {top_revenue['rfm_segment']} bring the most "
               f"revenue ({top_revenue['revenue_share']:.0%}). Behaviour clusters: k = {clusters.k_} "
               f"({chosen_by}{silhouette_text}). " + " ".join(clusters.profiles_["profile"])
               + (f" {clusters.note_}" if clusters.note_ else ""))
    tables = {"rfm_segments": segments, "customers": customers, "cluster_profiles": clusters.profiles_,
              "k_choice": clusters.curve_, "behaviour_features": features.assign(cluster=clusters.labels_)}
    saved = clusters.saved_form()
    # What a merchant reads first: how the segments split customers and revenue, and how concentrated
    # revenue is; the clusters' geometry after.
    figures = {"segment_shares": segment_shares_figure(segments),
               "revenue_pareto": pareto_figure(customers["monetary"].to_numpy(float), what="revenue",
                                               title="Revenue concentration: share of revenue by share of customers"),
               **clusters.figures()}
    metrics["top_20pct_revenue_share"] = top_share(customers["monetary"].to_numpy(float))
    return AnalysisResult(name="segments", title="Customer segments (RFM and behaviour clusters)",
                          summary=summary, tables=tables, metrics=metrics, figures=figures,
                          models={"kmeans": saved} if saved is not None else {})
