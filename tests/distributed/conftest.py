"""One simulated shop seen through DuckDB and through Spark, for the per-customer scoring tests.

The Spark shop uses the session the ``spark_engine`` fixture started (local mode, or the standalone
cluster of the second test pass), so its scoring runs on that cluster's executors.
"""

from __future__ import annotations

import pytest

from distributed.shops import ingested_shop
from shopmine.shop import Shop
from shopmine.workspace import Workspace


@pytest.fixture(scope="session")
def simulated_shop(tmp_path_factory):
    """600 customers, 80 products, a year (seed 5), with its fraud truth; the workspace holds it."""
    return ingested_shop(tmp_path_factory.mktemp("scoring_shop"), n_customers=600, n_products=80, n_days=365,
                         seed=5)


@pytest.fixture(scope="session")
def shops(simulated_shop, spark_engine):
    """The workspace through DuckDB and through Spark (the session of ``spark_engine``)."""
    ws, _ = simulated_shop
    duck = Shop(Workspace(ws))
    spark = Shop(Workspace(ws, {"engine": "spark"}))
    assert spark.engine.name == "spark"
    yield {"duckdb": duck, "spark": spark}
    duck.close()
    spark.close()
