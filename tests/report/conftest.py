"""Shared fixtures for the report tests: seeded results and the Chromium used by CI."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopmine.figures import bar_chart, histogram, line_chart, scatter_with_fit
from shopmine.result import AnalysisResult

CHROMIUM = Path("/usr/bin/chromium")
GENERATED_AT = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
XSS = "<script>alert(1)</script>"
N_CUSTOMERS = 4372


@pytest.fixture(scope="session")
def cartesian_js() -> str:
    """Plotly's cartesian partial bundle as vendored in the package (``shopmine/report/static``)."""
    from importlib import resources

    return resources.files("shopmine.report").joinpath("static", "plotly-cartesian.min.js").read_text("utf-8")


@pytest.fixture
def sales_result() -> AnalysisResult:
    """A small result with nested metrics, a short table and two figures."""
    rng = np.random.default_rng(42)
    days = pd.date_range("2024-01-01", periods=30, freq="D")
    daily = pd.DataFrame(
        {
            "ds": np.tile(days, 2),
            "category": np.repeat(["home", "garden"], 30),
            "revenue": rng.gamma(5.0, 100.0, 60).round(2),
        }
    )
    points = pd.DataFrame({"price": rng.uniform(5, 20, 50)})
    points["units"] = 100 - 3 * points["price"] + rng.normal(0, 4, 50)
    return AnalysisResult(
        name="sales",
        title="Sales overview",
        summary="Revenue grew over the period.\n\nGarden leads in spring.",
        tables={"daily": daily.head(8)},
        metrics={
            "orders": 12345,
            "revenue": 1234567.891,
            "repeat_customer_share": 0.4321,
            "holdout": {"rmse": 12.3456, "hit_rate": 0.6},
        },
        figures={
            "revenue_by_category": line_chart(
                daily, "ds", "revenue", color="category", title="Daily revenue"
            ),
            "price_vs_units": scatter_with_fit(points, "price", "units", "Units vs price"),
        },
    )


@pytest.fixture
def customers_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(N_CUSTOMERS)],
            "orders": rng.integers(1, 30, N_CUSTOMERS),
            "monetary": rng.gamma(2.0, 150.0, N_CUSTOMERS).round(2),
        }
    )
    # Shop data may hold anything; the report must show it as text, never run it.
    df.loc[0, "customer_id"] = XSS
    return df


@pytest.fixture
def customers_result(customers_frame: pd.DataFrame) -> AnalysisResult:
    """A result with a long table (truncated in the report) and two figures."""
    segments = pd.DataFrame({"segment": ["loyal", "new", "lost"], "customers": [1200, 2000, 1172]})
    return AnalysisResult(
        name="customers",
        title="Customers & segments",
        summary="4,372 customers in three segments.",
        tables={"customers": customers_frame, "segments": segments},
        metrics={"customers": N_CUSTOMERS, "churn_rate": 0.183},
        figures={
            "orders_hist": histogram(customers_frame, "orders", title="Orders per customer"),
            "segments": bar_chart(segments, "segment", "customers"),
        },
    )


@pytest.fixture
def chromium() -> Path:
    """The system Chromium; the test skips when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs it: apt-get install chromium)")
    return CHROMIUM
