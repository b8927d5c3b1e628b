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
def customer_summary_path(tmp_path_factory, real_data) -> Path:
    """The Online Retail customer summary built by the foundation, written as CSV once per run."""
    folder = real_data("uci_online_retail")
    from shopmine.ingest import IngestOptions, ingest
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    ws = Workspace(tmp_path_factory.mktemp("retail_ws"))
    ingest(ws, sorted(folder.glob("*.csv.gz")), options=IngestOptions(preset="online_retail"))
    summary = Shop(ws).customer_summary().to_pandas()
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
