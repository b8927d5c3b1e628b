"""``/dashboard/customer?customer_id=ID``: one customer's segment, lifetime value, risk score and
recommendations with their reasons, answered by the API's own route functions (the same saved runs, the
same "not in the run" messages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request

from shopmine.api.dashboard.currency import shop_currency
from shopmine.api.dashboard.login import signed_in
from shopmine.api.dashboard.render import page
from shopmine.api.errors import ApiError
from shopmine.api.routes import customers as answers
from shopmine.report.format import format_metric, table_view

router = APIRouter(dependencies=[Depends(signed_in)])

#: Recommendations shown.
TOP_K = 10
SEGMENT_FACTS = (("rfm_segment", "RFM segment"), ("r_score", "Recency score"), ("f_score", "Frequency score"),
                 ("m_score", "Monetary score"), ("recency_days", "Days since last order"),
                 ("frequency", "Orders"), ("monetary", "Spend"), ("cluster", "Behaviour cluster"),
                 ("cluster_profile", "Cluster profile"))
CLV_FACTS = (("expected_revenue", "Expected revenue"), ("expected_purchases", "Expected purchases"),
             ("p_alive", "Probability still active"), ("churn_probability", "Churn probability"),
             ("purchase_probability_30d", "Probability of a purchase in 30 days"), ("model", "Model"))
RISK_FACTS = (("probability", "Probability"), ("score_points", "Score points"), ("reasons", "Reasons"))
RECOMMENDATION_COLUMNS = ["rank", "product_id", "score", "reason"]


def _facts(answer: dict[str, Any], facts, currency: str | None) -> list[tuple[str, str]]:
    def text(key, value):
        if isinstance(value, list):
            return "; ".join(str(v) for v in value) or "—"
        return format_metric(value, key, currency)
    return [(label, text(key, answer.get(key))) for key, label in facts]


def _part(part_id: str, title: str, answer: Callable[[], dict[str, Any]], show) -> dict[str, Any]:
    """One section of the page: the route's answer shown by ``show``, or its 404 message."""
    try:
        return {"id": part_id, "title": title, "error": None, **show(answer())}
    except ApiError as exc:
        if exc.status != 404:
            raise
        return {"id": part_id, "title": title, "error": exc.message, "facts": None}


@router.get("/customer", include_in_schema=False)
def customer(request: Request, customer_id: str | None = Query(None, max_length=200)):
    context = {"title": "Customer", "current": "/dashboard/customer", "figures_on_page": False}
    customer_id = (customer_id or "").strip() or None
    if customer_id is None:
        return page(request, "customer.html", customer_id=None, parts=[], **context)
    currency = shop_currency(request)

    def facts(spec):
        return lambda answer: {"facts": _facts(answer, spec, currency)}

    def recommendations(answer):
        frame = pd.DataFrame(answer["items"], columns=RECOMMENDATION_COLUMNS)
        return {"facts": None, "table": table_view(frame, len(frame), currency)}

    parts = [
        _part("segment", "Segment", lambda: answers.segment(request, customer_id), facts(SEGMENT_FACTS)),
        _part("clv", "Lifetime value", lambda: answers.clv(request, customer_id), facts(CLV_FACTS)),
        _part("risk", "Risk", lambda: answers.risk(request, customer_id), facts(RISK_FACTS)),
        _part("recommendations", "Recommended products",
              lambda: answers.recommendations(request, customer_id, k=TOP_K, repeat=True, category=None),
              recommendations),
    ]
    return page(request, "customer.html", customer_id=customer_id, parts=parts, **context)
