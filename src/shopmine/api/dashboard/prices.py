"""``/dashboard/prices?page=N``: the latest saved ``price`` run's suggestions, a page of rows at a time (the
rows ``/v1/prices`` answers with)."""

from __future__ import annotations

import math

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request

from shopmine.api.dashboard.currency import shop_currency
from shopmine.api.dashboard.login import signed_in
from shopmine.api.dashboard.render import page
from shopmine.api.errors import ApiError
from shopmine.api.routes.prices import suggestion_rows
from shopmine.report.format import table_view

router = APIRouter(dependencies=[Depends(signed_in)])

#: Rows per page.
PAGE_ROWS = 25
COLUMNS = ["product_id", "name", "current_price", "suggested_price", "unit_cost", "elasticity",
           "expected_units_change_pct", "expected_revenue_change_pct", "expected_profit_change_pct", "status"]


@router.get("/prices", include_in_schema=False)
def prices(request: Request, page_number: int = Query(1, alias="page", ge=1, le=10**6)):
    context = {"title": "Prices", "current": "/dashboard/prices", "figures_on_page": False}
    try:
        rows, metadata = suggestion_rows(request.app.state.runs)
    except ApiError as exc:
        return page(request, "prices.html", missing=exc.message, **context)
    pages = max(1, math.ceil(len(rows) / PAGE_ROWS))
    number = min(page_number, pages)
    start = (number - 1) * PAGE_ROWS
    frame = pd.DataFrame(rows[start:start + PAGE_ROWS])
    frame = frame[[c for c in COLUMNS if c in frame]]
    link = "/dashboard/prices?page={}".format
    return page(request, "prices.html", missing=None, **context,
                suggestions=table_view(frame, len(frame), shop_currency(request)),
                first=start + 1 if rows else 0, last=start + len(frame), total=len(rows), page=number, pages=pages,
                previous=link(number - 1) if number > 1 else None,
                following=link(number + 1) if number < pages else None,
                run_id=metadata["run_id"], as_of=metadata.get("as_of"))
