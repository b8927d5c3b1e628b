"""``/v1/forecasts/{level}`` and ``/v1/products/{id}/forecast``: the latest saved forecast of a level, and for
one series its recent history as saved with the run.

A reconciled run (``forecast --reconcile``) forecasts every level at once so that products add up to their
categories and the total; it answers for each level until a newer run of that level is saved, and its
answers name the reconciliation and carry each series' own model forecast beside the reconciled one."""

from __future__ import annotations

from enum import Enum
from typing import Any

import numpy as np
from fastapi import APIRouter, Depends, Path, Query, Request

from shopmine.api.answers import Paging, not_run, records, run_ref
from shopmine.api.errors import ApiError
from shopmine.api.schemas import Forecasts

router = APIRouter(tags=["forecasts"])

COLUMNS = {"unique_id": "series", "name": "name", "ds": "ds", "forecast": "forecast", "forecast-lo-80": "lo_80",
           "forecast-hi-80": "hi_80", "forecast-lo-95": "lo_95", "forecast-hi-95": "hi_95", "model": "model",
           "base": "base"}


class Level(str, Enum):
    product = "product"
    category = "category"
    total = "total"


def _has_level(metadata: dict[str, Any], level: str) -> bool:
    parameters = metadata["parameters"]
    return (parameters.get("data") is None and "forecasts" in metadata.get("tables", {})
            and (parameters.get("reconcile") is not None or parameters.get("level") == level))


def latest_forecast(runs, level: str) -> dict[str, Any]:
    """The newest forecast run of the workspace's own sales (not of a user's table) that has ``level``: a run
    of that level or a reconciled run (every level)."""
    found = runs.latest("forecast", lambda m: _has_level(m, level))
    if found is None:
        raise not_run("forecast", f"shopmine forecast --level {level}", f"{level}-level forecast")
    return found


def _of_level(frame, metadata: dict[str, Any], level: str):
    """A reconciled run's rows of ``level`` (its tables hold every level); another run's table as it is."""
    if frame is None or metadata["parameters"].get("reconcile") is None or "level" not in frame.columns:
        return frame
    return frame[frame["level"] == level]


def forecast_rows(runs, metadata: dict[str, Any], level: str) -> dict[str, list[dict[str, Any]]]:
    """The run's forecast rows of ``level`` by series, converted once per run and level."""
    def build():
        by_series: dict[str, list[dict[str, Any]]] = {}
        for row in records(_of_level(runs.table(metadata, "forecasts"), metadata, level), COLUMNS):
            row["series"] = str(row["series"])
            by_series.setdefault(row["series"], []).append(row)
        return by_series
    return runs.cached(metadata["run_id"], f"forecast_rows:{level}", build)


def _history_index(runs, metadata: dict[str, Any], level: str):
    """The run's ``history`` of ``level`` sorted by series and time, and each series' ``(start, stop)`` rows
    in it, once per run and level; None for a run saved without one. Rows are made per request (90 of them),
    not all at once: a shop of 4,000 products has 360,000."""
    def build():
        frame = _of_level(runs.table(metadata, "history"), metadata, level)
        if frame is None:
            return None
        frame = frame.assign(unique_id=frame["unique_id"].astype(str)).sort_values(["unique_id", "ds"],
                                                                                   kind="stable", ignore_index=True)
        ids = frame["unique_id"].to_numpy()
        starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]])) if len(ids) else np.array([], int)
        stops = np.append(starts[1:], len(ids))
        bounds = {ids[a]: (int(a), int(b)) for a, b in zip(starts, stops)}
        return frame[["ds", "y"]], bounds
    return runs.cached(metadata["run_id"], f"history_index:{level}", build)


def series_history(runs, metadata: dict[str, Any], series: str, level: str) -> list[dict[str, Any]] | None:
    """``[{"ds", "y"}, ...]`` of ``series`` before the forecast origin, oldest first, as saved with the run
    (None for a run saved without a history; [] for a series it has none of)."""
    index = _history_index(runs, metadata, level)
    if index is None:
        return None
    frame, bounds = index
    start, stop = bounds.get(series, (0, 0))
    return records(frame.iloc[start:stop])


def _answer(request: Request, metadata, rows, level: str, paging: Paging,
            history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    parameters = metadata["parameters"]
    return {**paging.page(request, rows), "level": level, "freq": parameters.get("freq"),
            "measure": parameters.get("measure"), "reconciliation": parameters.get("reconcile"), "history": history,
            "run": run_ref(metadata)}


@router.get("/forecasts/{level}", response_model=Forecasts, summary="Forecast of every series of a level")
def forecasts(request: Request, level: Level, paging: Paging = Depends(),
              series: str | None = Query(None, max_length=500, description="Only this product id or category "
                                         "path ('total' at the total level).")) -> dict[str, Any]:
    runs = request.app.state.runs
    metadata = latest_forecast(runs, level.value)
    by_series = forecast_rows(runs, metadata, level.value)
    if series is not None:
        if series not in by_series:
            raise ApiError(404, f"series {series[:80]!r} is not in the {level.value}-level forecast run "
                                f"{metadata['run_id']}", field="query.series")
        return _answer(request, metadata, by_series[series], level.value, paging,
                       series_history(runs, metadata, series, level.value))
    rows = [row for part in by_series.values() for row in part]
    return _answer(request, metadata, rows, level.value, paging)


@router.get("/products/{product_id}/forecast", response_model=Forecasts, summary="Forecast of one product")
def product_forecast(request: Request, product_id: str = Path(max_length=500),
                     paging: Paging = Depends()) -> dict[str, Any]:
    runs = request.app.state.runs
    metadata = latest_forecast(runs, "product")
    rows = forecast_rows(runs, metadata, "product").get(product_id)
    if rows is None:
        raise ApiError(404, f"product {product_id[:80]!r} is not in the product forecast run {metadata['run_id']} "
                            "(unknown, or left out by its --top)", field="path.product_id")
    return _answer(request, metadata, rows, "product", paging, series_history(runs, metadata, product_id, "product"))
