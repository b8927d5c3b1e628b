"""A simulated shop loaded into a workspace, shared by the module's tests (it takes a few seconds)."""

from __future__ import annotations

import pytest

from shopmine.demo import run_demo


@pytest.fixture(scope="session")
def demo_shop(tmp_path_factory: pytest.TempPathFactory):
    """``run_demo`` with 2,000 customers over 730 days (seed 0): shop folder and workspace."""
    return run_demo(tmp_path_factory.mktemp("segments_demo"), n_customers=2000, n_products=200, seed=0)
