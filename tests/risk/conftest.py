"""Fixtures of the risk tests: a synthetic loan table whose risk drivers are known, and a model trained on it."""

from __future__ import annotations

import pandas as pd
import pytest

from risk.synthetic import loans


@pytest.fixture(scope="session")
def loan_table() -> pd.DataFrame:
    return loans()


@pytest.fixture(scope="session")
def trained(loan_table):
    """One model for the tests that only read it (training takes seconds)."""
    from shopmine.risk import train_risk

    return train_risk(loan_table, target="default", id_col="loan_id", special_codes=[99], cost_fn=5, cost_fp=1,
                      folds=3)
