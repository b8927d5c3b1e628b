"""The API's response and request models: every route declares one, so that /openapi.json is precise.

Numbers a saved run holds as NaN (an elasticity that could not be estimated) are ``null`` here.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable kind: not_found, unauthorized, invalid_input ...")
    message: str = Field(description="What went wrong and how to fix it.")
    field: str | None = Field(description="The request field at fault (query.k, body.rows.0), or null.")


class ErrorEnvelope(BaseModel):
    error: ErrorBody


class ModelRef(BaseModel):
    name: str
    version: int
    format: str | None = None


class RunRef(BaseModel):
    """The saved run an answer comes from."""

    id: str
    analysis: str
    created: str | None = Field(description="When the run finished (UTC, ISO 8601).")
    as_of: str | None = Field(description="The analysis's as-of date (null for a run on a user's table).")
    models: list[ModelRef] = Field(description="Model versions of the registry the run saved.")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Items in the whole list.")
    limit: int
    offset: int
    next: str | None = Field(description="The URL of the next page, or null on the last one.")


class Health(BaseModel):
    status: str
    version: str


class RunSummary(RunRef):
    status: str | None
    command: str | None
    summary: str | None
    parameters: dict[str, Any]
    batches: list[str]


class Runs(Page[RunSummary]):
    pass


class ForecastPoint(BaseModel):
    series: str = Field(description="Product id, category path or 'total'.")
    name: str | None = None
    ds: str = Field(description="Period start (ISO date).")
    forecast: float | None
    lo_80: float | None = None
    hi_80: float | None = None
    lo_95: float | None = None
    hi_95: float | None = None
    model: str | None = None
    base: float | None = Field(None, description="Reconciled runs only: the model's own forecast of the series, "
                                                 "before the levels were made to add up.")


class HistoryPoint(BaseModel):
    ds: str = Field(description="Period start (ISO date).")
    y: float | None = Field(description="Actual sales of the period (the run's measure).")


class Forecasts(Page[ForecastPoint]):
    level: str
    freq: str | None
    measure: str | None
    reconciliation: str | None = Field(
        None, description="'bottom_up' or 'mint' when the run reconciled every level (products add up to "
                          "categories and the total); null for a run of one level.")
    history: list[HistoryPoint] | None = Field(
        None, description="When one series is asked for: its actual sales over the last periods before the "
                          "forecast origin (up to 90, as saved with the run), oldest first; null for a run saved "
                          "without them.")
    run: RunRef


class Segment(BaseModel):
    customer_id: str
    rfm_segment: str | None
    r_score: int | None
    f_score: int | None
    m_score: int | None
    recency_days: float | None
    frequency: float | None
    monetary: float | None
    cluster: int | None
    cluster_profile: str | None = Field(description="What sets the customer's behaviour cluster apart.")
    run: RunRef


class Clv(BaseModel):
    customer_id: str
    horizon_days: int | None
    p_alive: float | None
    expected_purchases: float | None
    expected_revenue: float | None
    churn_probability: float | None
    purchase_probability_30d: float | None
    model: str | None
    run: RunRef


class Recommendation(BaseModel):
    rank: int
    product_id: str
    score: float | None
    reason: str | None


class CustomerRecommendations(BaseModel):
    customer_id: str
    items: list[Recommendation]
    run: RunRef


class ProductRecommendations(BaseModel):
    product_id: str
    items: list[Recommendation]
    run: RunRef


class PriceSuggestion(BaseModel):
    product_id: str
    name: str | None = None
    category: str | None = None
    current_price: float | None
    unit_cost: float | None
    suggested_price: float | None
    price_change_pct: float | None = None
    elasticity: float | None
    elasticity_lo: float | None
    elasticity_hi: float | None
    expected_units_change_pct: float | None
    expected_revenue_change_pct: float | None
    expected_profit_change_pct: float | None
    objective: str | None = None
    status: str | None


class PriceSuggestions(Page[PriceSuggestion]):
    run: RunRef


class RiskScore(BaseModel):
    id: str
    probability: float | None = Field(description="P(positive class) under the served model.")
    score_points: float | None = Field(description="Points (higher is safer).")
    reasons: list[str] = Field(description="Up to three features that cost the most points, worst first.")


class RiskScores(BaseModel):
    items: list[RiskScore]
    served: str = Field(description="The served model of the training run: scorecard or challenger.")
    positive_class: str | None
    threshold: float | None = Field(description="The training's cost threshold on the probability.")
    run: RunRef


class CustomerRisk(RiskScore):
    customer_id: str
    orders: int | None = Field(default=None, description="From a scoring of the shop's own orders: the customer's "
                               "orders scored; ``id`` is then their riskiest order and the score that order's.")
    run: RunRef
    model_run: str | None = Field(description="The risk training run whose model gave the score.")


class RiskRows(BaseModel):
    """Rows to score, with the columns ``shopmine risk score --data`` takes (the training's features)."""

    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, str | int | float | bool | None]] = Field(min_length=1, max_length=5000)
    id_col: str | None = Field(default=None, description="The column that identifies each row (default: the "
                               "training's id column when present, else the row number from 1).")
