"""Fixtures of the classic-method tests: the CLI runner and the real tables from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
WALMART = DATA / "walmart_store_sales" / "walmart_45_stores_weekly.csv"
GERMAN = DATA / "german_credit" / "germancredit.csv"
RETAIL = DATA / "uci_online_retail"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (see ../shared/data/SOURCES.md)")
    return path



@pytest.fixture(scope="session")
def walmart_path() -> Path:
    return need(WALMART)


@pytest.fixture(scope="session")
def german_path() -> Path:
    return need(GERMAN)


@pytest.fixture(scope="session")
def customer_summary_path(tmp_path_factory) -> Path:
    """The Online Retail customer summary built by the foundation, written as CSV once per run."""
    folder = need(RETAIL)
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
