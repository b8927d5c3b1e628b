"""``/v1/products/{id}/recommendations``: products bought together with a product (the saved recommender)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request

from shopmine.api.answers import records, run_ref
from shopmine.api.errors import ApiError
from shopmine.api.models import known_ids, latest_recommender
from shopmine.api.schemas import ProductRecommendations

router = APIRouter(prefix="/products", tags=["products"])


@router.get("/{product_id}/recommendations", response_model=ProductRecommendations,
            summary="Products bought together with this one")
def similar(request: Request, product_id: str = Path(max_length=500),
            k: int = Query(10, ge=1, le=100, description="How many products."),
            category: str | None = Query(None, min_length=1, max_length=200,
                                         description="Only this category path or below.")) -> dict[str, Any]:
    runs = request.app.state.runs
    recommender, metadata = latest_recommender(runs)
    if product_id not in known_ids(runs, metadata, recommender, "product"):
        raise ApiError(404, f"product {product_id[:80]!r} was not bought by a customer before the as-of date of "
                            f"the recommend run {metadata['run_id']} ({metadata.get('as_of')})",
                       field="path.product_id")
    table = recommender.similar(product_id, k, category=category)
    return {"product_id": product_id, "items": records(table.drop(columns="for_product_id")),
            "run": run_ref(metadata)}
