"""Fixtures of the classic-method tests: the CLI runner and the real tables (the ``real_data`` fixture)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def walmart_path(real_data) -> Path:
    return real_data("walmart_store_sales/walmart_45_stores_weekly.csv")


@pytest.fixture(scope="session")
def german_path(real_data) -> Path:
    return real_data("german_credit/germancredit.csv")


@pytest.fixture(scope="session")
def customer_summary_path(tmp_path_factory, online_retail_workspace) -> Path:
    """The Online Retail customer summary built by the foundation, written as CSV once per run."""
    from shopmine.shop import Shop

    with Shop(online_retail_workspace()) as shop:
        summary = shop.customer_summary().to_pandas()
    path = tmp_path_factory.mktemp("retail") / "customers.csv"
    summary.to_csv(path, index=False)
    return path


@pytest.fixture
def write_csv():
    """Write a frame as CSV without its index; return the path."""
    def _write(path: Path, frame: pd.DataFrame) -> Path:
        frame.to_csv(path, index=False)
        return path
    return _write
