"""``/dashboard``: the report's opening from the saved ``glance`` run (KPI tiles, revenue against last year,
top products), as the report shows it (:func:`shopmine.report.tiles.tile_views`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from shopmine.api.answers import not_run
from shopmine.api.dashboard.currency import shop_currency
from shopmine.api.dashboard.login import signed_in
from shopmine.api.dashboard.render import Figures, page
from shopmine.report.format import table_view
from shopmine.report.tiles import TILES_TABLE, tile_views

router = APIRouter(dependencies=[Depends(signed_in)])

#: The report's overview run this page shows (report.sections.OVERVIEWS[0]).
GLANCE = "glance"
TOP_COLUMNS = ["product_id", "name", "revenue", "units", "revenue_growth_rate"]


@router.get("", include_in_schema=False)
def overview(request: Request):
    runs = request.app.state.runs
    metadata = runs.latest(GLANCE)
    if metadata is None:
        return page(request, "overview.html", title="Overview", current="/dashboard", figures_on_page=False,
                    missing=not_run(GLANCE, "shopmine report", "shop overview").message)
    currency = shop_currency(request)
    figures = Figures()
    revenue = runs.figure(metadata, "revenue_against_last_year")
    top = runs.table(metadata, "top_products")
    return page(request, "overview.html", title="Overview", current="/dashboard", missing=None,
                figures_on_page=revenue is not None, summary=metadata.get("summary", ""),
                tiles=tile_views(runs.table(metadata, TILES_TABLE), currency),
                revenue=None if revenue is None else figures.block(revenue),
                top_products=table_view(top[[c for c in TOP_COLUMNS if c in top]], len(top), currency),
                run_id=metadata["run_id"], as_of=metadata.get("as_of"))
