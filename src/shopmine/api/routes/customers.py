"""``/v1/customers/{id}/...``: a customer's segment and cluster, lifetime value, risk score and recommendations,
each from the latest saved run of its analysis."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request

from shopmine.api.answers import not_run, records, run_ref
from shopmine.api.errors import ApiError
from shopmine.api.models import known_ids, latest_recommender
from shopmine.api.schemas import Clv, CustomerRecommendations, CustomerRisk, Segment

router = APIRouter(prefix="/customers", tags=["customers"])

CustomerId = Path(max_length=200, description="The customer id as in the order log (pseudonymised if the "
                                              "workspace is).")


def _by_customer(runs, metadata, table: str) -> dict[str, dict[str, Any]]:
    """Rows of a per-customer table of the run, by customer id (built once per run)."""
    def build():
        frame = runs.table(metadata, table)
        if frame is None or "customer_id" not in frame:
            return {}
        return {str(row["customer_id"]): row for row in records(frame)}
    return runs.cached(metadata["run_id"], f"by_customer:{table}", build)


def _profiles(runs, metadata) -> dict[int, str]:
    """Each behaviour cluster's profile sentence."""
    table = runs.table(metadata, "cluster_profiles")
    return {} if table is None else {row["cluster"]: row.get("profile") for row in records(table)}


def _scores_by_id(runs, metadata) -> dict[str, dict[str, Any]]:
    """A score run's rows by their id."""
    table = runs.table(metadata, "scores")
    return {} if table is None else {str(row["id"]): row for row in records(table)}


def _unknown(customer_id: str, metadata) -> ApiError:
    return ApiError(404, f"customer {customer_id[:80]!r} is not in the {metadata['analysis']} run "
                         f"{metadata['run_id']} (as of {metadata.get('as_of')})", field="path.customer_id")


@router.get("/{customer_id}/segment", response_model=Segment, summary="RFM segment and behaviour cluster")
def segment(request: Request, customer_id: str = CustomerId) -> dict[str, Any]:
    runs = request.app.state.runs
    metadata = runs.latest("segments")
    if metadata is None:
        raise not_run("segments", "shopmine segment")
    row = _by_customer(runs, metadata, "customers").get(customer_id)
    if row is None:
        raise _unknown(customer_id, metadata)
    profiles = runs.cached(metadata["run_id"], "cluster_profiles", lambda: _profiles(runs, metadata))
    cluster = row.get("cluster")
    return {"customer_id": customer_id, **{k: row.get(k) for k in (
        "rfm_segment", "r_score", "f_score", "m_score", "recency_days", "frequency", "monetary")},
            "cluster": cluster, "cluster_profile": profiles.get(cluster), "run": run_ref(metadata)}


@router.get("/{customer_id}/clv", response_model=Clv, summary="Customer lifetime value and churn probability")
def clv(request: Request, customer_id: str = CustomerId) -> dict[str, Any]:
    runs = request.app.state.runs
    metadata = runs.latest("clv")
    if metadata is None:
        raise not_run("clv", "shopmine clv", "customer lifetime value")
    row = _by_customer(runs, metadata, "customers").get(customer_id)
    if row is None:
        raise _unknown(customer_id, metadata)
    return {"customer_id": customer_id, "horizon_days": metadata["parameters"].get("horizon_days"),
            **{k: row.get(k) for k in ("p_alive", "expected_purchases", "expected_revenue", "churn_probability",
                                       "purchase_probability_30d", "model")}, "run": run_ref(metadata)}


@router.get("/{customer_id}/risk", response_model=CustomerRisk, summary="The customer's latest saved risk score")
def risk(request: Request, customer_id: str = CustomerId) -> dict[str, Any]:
    """From the newest ``risk_score`` run that scored this customer: a table keyed by customer id, scored with
    ``shopmine risk score --data FILE --id customer_id``, or a scoring of the shop's own orders
    (``shopmine risk score --orders``), where the customer's score is their riskiest order's. Runs keyed by
    another column (loans) are not customers' scores even where an id looks like a customer's."""
    runs = request.app.state.runs
    scored = [m for m in runs.runs("risk_score")
              if m["parameters"].get("id_col") == "customer_id" or m["parameters"].get("orders")]
    if not scored:
        raise not_run("risk_score", "shopmine risk score --orders (or --data CUSTOMERS --id customer_id)",
                      "customer risk score")
    for metadata in scored:
        by_id = runs.cached(metadata["run_id"], "scores_by_id", lambda m=metadata: _scores_by_id(runs, m))
        orders = None
        if metadata["parameters"].get("orders"):
            summary = _by_customer(runs, metadata, "customers").get(customer_id)
            row = None if summary is None else by_id.get(str(summary["riskiest_order"]))
            orders = None if summary is None else int(summary["orders"])
        else:
            row = by_id.get(customer_id)
        if row is not None:
            return {"customer_id": customer_id, "id": str(row["id"]), "probability": row.get("probability"),
                    "score_points": row.get("score_points"),
                    "reasons": [row[f"reason_{i}"] for i in (1, 2, 3) if row.get(f"reason_{i}")],
                    "orders": orders, "model_run": runs.metrics(metadata).get("source_run"),
                    "run": run_ref(metadata)}
    raise ApiError(404, f"customer {customer_id[:80]!r} is in no saved risk_score run; score the shop's orders with "
                        "`shopmine risk score --orders`, or a table keyed by customer id with "
                        "`shopmine risk score --data FILE --id customer_id`", field="path.customer_id")


@router.get("/{customer_id}/recommendations", response_model=CustomerRecommendations,
            summary="Top-k products for the customer, with a reason each")
def recommendations(request: Request, customer_id: str = CustomerId,
                    k: int = Query(10, ge=1, le=100, description="How many products."),
                    repeat: bool = Query(True, description="Whether products the customer bought may come back."),
                    category: str | None = Query(None, min_length=1, max_length=200,
                                                 description="Only this category path or below.")) -> dict[str, Any]:
    runs = request.app.state.runs
    recommender, metadata = latest_recommender(runs)
    if customer_id not in known_ids(runs, metadata, recommender, "customer"):
        raise ApiError(404, f"customer {customer_id[:80]!r} bought nothing before the as-of date of the "
                            f"recommend run {metadata['run_id']} ({metadata.get('as_of')})", field="path.customer_id")
    table = recommender.recommend([customer_id], k, repeat=repeat, category=category)
    return {"customer_id": customer_id, "items": records(table.drop(columns="customer_id")),
            "run": run_ref(metadata)}
