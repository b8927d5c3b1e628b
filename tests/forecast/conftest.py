"""Fixtures of the forecast tests: a small simulated workspace, a toy series table, the CLI runner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest



@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    from shopmine.demo import run_demo

    root = tmp_path_factory.mktemp("forecast_demo")
    run_demo(root, n_customers=300, n_products=40, n_days=200, seed=1)
    return root / "workspace"


@pytest.fixture
def weekly_table() -> pd.DataFrame:
    """Three stores, 80 weeks, a yearly-free weekly level with a holiday bump known in advance."""
    rng = np.random.default_rng(3)
    ds = pd.date_range("2021-01-04", periods=80, freq="W-MON")
    rows = []
    for store, level in (("s1", 100.0), ("s2", 50.0), ("s3", 20.0)):
        holiday = (np.arange(80) % 10 == 0).astype(float)
        y = level * (1 + 0.3 * holiday) + rng.normal(0, level * 0.05, 80)
        rows.append(pd.DataFrame({"store": store, "week": ds, "sales": y, "holiday": holiday}))
    return pd.concat(rows, ignore_index=True)

