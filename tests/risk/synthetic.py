"""A synthetic loan table whose risk drivers are known (shared by tests/risk and tests/cli/test_risk_cli.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def loans(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Loans whose default odds rise with ``utilisation`` and fall with ``age``; ``region`` matters
    (``south`` is riskier), ``noise`` does not. 99 in ``late_payments`` is a code for "unknown"."""
    rng = np.random.default_rng(seed)
    utilisation = rng.uniform(0, 1.2, n)
    age = rng.integers(20, 75, n).astype(float)
    region = rng.choice(["north", "south", "east"], n, p=[0.4, 0.3, 0.3])
    late = rng.poisson(0.5, n).astype(float)
    late[rng.random(n) < 0.05] = 99.0
    logit = -2.8 + 2.5 * utilisation - 0.04 * (age - 45) + np.where(region == "south", 0.9, 0.0) \
        + 0.6 * np.minimum(late, 3) * (late != 99)
    default = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame({"loan_id": [f"L{i:05d}" for i in range(n)], "utilisation": utilisation, "age": age,
                          "region": region, "late_payments": late, "noise": rng.normal(size=n),
                          "default": np.where(default, "yes", "no"),
                          "opened": pd.date_range("2020-01-01", periods=n, freq="D").astype(str)})
    frame.loc[rng.random(n) < 0.03, "age"] = np.nan
    return frame
