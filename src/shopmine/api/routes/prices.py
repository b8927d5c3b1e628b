"""``/v1/prices``: the price suggestions of the latest saved ``price`` run, paginated, and one product's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from shopmine.api.answers import Paging, not_run, records, run_ref
from shopmine.api.errors import ApiError
from shopmine.api.schemas import PriceSuggestion, PriceSuggestions, RunRef

router = APIRouter(prefix="/prices", tags=["prices"])

FIELDS = list(PriceSuggestion.model_fields)


def suggestion_rows(runs) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The latest price run's suggestions as JSON-safe rows (built once per run), and its metadata."""
    metadata = runs.latest("price", lambda m: "suggestions" in m.get("tables", {}))
    if metadata is None:
        raise not_run("price", "shopmine price", "price suggestion")
    rows = runs.cached(metadata["run_id"], "suggestions", lambda: [
        {**row, "product_id": str(row["product_id"])}
        for row in records(runs.table(metadata, "suggestions"), {f: f for f in FIELDS})])
    return rows, metadata


@router.get("", response_model=PriceSuggestions, summary="Suggested prices, in the run's order")
def suggestions(request: Request, paging: Paging = Depends(),
                changed: bool | None = Query(None, description="true: only products whose price would change; "
                                             "false: only those kept.")) -> dict[str, Any]:
    rows, metadata = suggestion_rows(request.app.state.runs)
    if changed is not None:
        rows = [r for r in rows if (r.get("suggested_price") != r.get("current_price")) == changed]
    return {**paging.page(request, rows), "run": run_ref(metadata)}


class PriceAnswer(PriceSuggestion):
    run: RunRef


@router.get("/{product_id}", response_model=PriceAnswer, summary="One product's suggested price")
def product_price(request: Request, product_id: str = Path(max_length=500)) -> dict[str, Any]:
    rows, metadata = suggestion_rows(request.app.state.runs)
    by_id = request.app.state.runs.cached(metadata["run_id"], "suggestions_by_id",
                                          lambda: {r["product_id"]: r for r in rows})
    row = by_id.get(product_id)
    if row is None:
        raise ApiError(404, f"product {product_id[:80]!r} has no suggestion in the price run {metadata['run_id']}",
                       field="path.product_id")
    return {**row, "run": run_ref(metadata)}
