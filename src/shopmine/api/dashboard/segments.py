"""``/dashboard/segments``: segment sizes and revenue from the latest saved ``segments`` run, with the run's own
figures (as the report draws them) and its RFM segment and behaviour cluster tables."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from shopmine.api.answers import not_run
from shopmine.api.dashboard.currency import shop_currency
from shopmine.api.dashboard.login import signed_in
from shopmine.api.dashboard.render import Figures, page
from shopmine.report.format import table_view

router = APIRouter(dependencies=[Depends(signed_in)])

#: The run's figures shown here, in order: segment shares (customers and revenue), the value Pareto curve.
FIGURES = ("segment_shares", "revenue_pareto")
SEGMENT_COLUMNS = ["rfm_segment", "customers", "customer_share", "revenue_share", "avg_order_value",
                   "avg_recency_days", "action"]
CLUSTER_COLUMNS = ["cluster", "customers", "share", "profile", "recency_days", "frequency", "monetary",
                   "avg_order_value"]


def _view(frame, columns, currency):
    return table_view(frame[[c for c in columns if c in frame]], len(frame), currency)


@router.get("/segments", include_in_schema=False)
def segments(request: Request):
    runs = request.app.state.runs
    context = {"title": "Segments", "current": "/dashboard/segments"}
    metadata = runs.latest("segments")
    if metadata is None:
        return page(request, "segments.html", figures_on_page=False, **context,
                    missing=not_run("segments", "shopmine segment").message)
    currency = shop_currency(request)
    figures = Figures()
    charts = [figures.block(fig) for fig in (runs.figure(metadata, name) for name in FIGURES) if fig is not None]
    return page(request, "segments.html", figures_on_page=bool(charts), missing=None, **context, charts=charts,
                segments=_view(runs.table(metadata, "rfm_segments"), SEGMENT_COLUMNS, currency),
                clusters=_view(runs.table(metadata, "cluster_profiles"), CLUSTER_COLUMNS, currency),
                run_id=metadata["run_id"], as_of=metadata.get("as_of"))
