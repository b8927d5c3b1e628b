"""``/dashboard/forecast?product=ID``: one product's forecast with its 80 % and 95 % intervals after its actual
sales of the last periods, from the latest saved product-level forecast run (the rows and history
``/v1/products/{id}/forecast`` answers with), and a picker of every product in that run. Changing the picker
loads the page again for the new product."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from fastapi import APIRouter, Depends, Query, Request

from shopmine.api.dashboard.login import signed_in
from shopmine.api.dashboard.render import Figures, page
from shopmine.api.errors import ApiError
from shopmine.api.routes.forecasts import forecast_rows, latest_forecast, series_history
from shopmine.report.format import table_view

router = APIRouter(dependencies=[Depends(signed_in)])

TABLE_COLUMNS = ["ds", "forecast", "lo_80", "hi_80", "lo_95", "hi_95"]


def label(series: str, rows: list[dict[str, Any]]) -> str:
    """``Name (id)``, or the id alone when the run has no name for it."""
    name = rows[0].get("name") if rows else None
    return f"{name} ({series})" if name else series


def chart(title: str, rows: list[dict[str, Any]], measure: str | None,
          history: list[dict[str, Any]] | None = None) -> go.Figure:
    """The actual sales before the forecast origin (``history``, as saved with the run), then the forecast line
    inside its 95 % and 80 % bands."""
    ds = [r["ds"] for r in rows]
    fig = go.Figure()
    if history:
        fig.add_trace(go.Scatter(x=[h["ds"] for h in history], y=[h["y"] for h in history], mode="lines",
                                 name="actual sales", line={"color": "rgb(68,68,68)"}))
    for level, colour in (("95", "rgba(31,119,180,0.15)"), ("80", "rgba(31,119,180,0.3)")):
        fig.add_trace(go.Scatter(x=ds, y=[r[f"hi_{level}"] for r in rows], mode="lines", line={"width": 0},
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=ds, y=[r[f"lo_{level}"] for r in rows], mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor=colour, name=f"{level}% interval"))
    fig.add_trace(go.Scatter(x=ds, y=[r["forecast"] for r in rows], mode="lines+markers", name="forecast",
                             line={"color": "rgb(31,119,180)"}))
    fig.update_layout(title={"text": f"Forecast of {title}"}, yaxis_title=measure or "", template="plotly_white",
                      margin={"t": 60})
    return fig


@router.get("/forecast", include_in_schema=False)
def forecast(request: Request, product: str | None = Query(None, max_length=500)):
    runs = request.app.state.runs
    context = {"title": "Forecast", "current": "/dashboard/forecast"}
    try:
        metadata = latest_forecast(runs, "product")
    except ApiError as exc:
        return page(request, "forecast.html", figures_on_page=False, missing=exc.message, **context)
    by_series = forecast_rows(runs, metadata, "product")
    if not by_series:
        return page(request, "forecast.html", figures_on_page=False, **context,
                    missing=f"The product forecast run {metadata['run_id']} has no series.")
    chosen = product if product is not None else next(iter(by_series))
    if chosen not in by_series:
        return page(request, "forecast.html", status_code=404, figures_on_page=False, **context,
                    missing=f"Product {chosen[:80]!r} is not in the product forecast run {metadata['run_id']} "
                            "(unknown, or left out by its --top).")
    rows = by_series[chosen]
    history = series_history(runs, metadata, chosen, "product")
    parameters = metadata["parameters"]
    frame = pd.DataFrame(rows)[TABLE_COLUMNS]
    return page(request, "forecast.html", figures_on_page=True, missing=None, **context,
                products=[{"id": series, "label": label(series, part)} for series, part in by_series.items()],
                product=chosen,
                chart=Figures().block(chart(label(chosen, rows), rows, parameters.get("measure"), history)),
                rows=table_view(frame, len(frame)), run_id=metadata["run_id"], as_of=metadata.get("as_of"),
                model=rows[0].get("model"), measure=parameters.get("measure"), freq=parameters.get("freq"))
