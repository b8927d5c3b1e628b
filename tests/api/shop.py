"""The small simulated shop the API tests serve: orders before SPLIT_DAY loaded, every analysis saved as a run.

One product is named with markup (:data:`HOSTILE_NAME`): every answer and page carries it as text.

A customer-level risk table is made from the segments run's behaviour features, labelled by the simulator's
truth (a customer who is no longer active at the end churned), trained on and scored keyed by customer id:
the saved ``risk_score`` run is what ``/v1/customers/{id}/risk`` serves.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shopmine.api.keys import KeyStore
from shopmine.ingest import IngestOptions
from shopmine.report.sections import overview_sections
from shopmine.runs import latest_run, seen_batches
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop
from shopmine.simulate.writer import write_shop
from shopmine.workspace import Workspace

SPLIT_DAY = "2023-07-01"
#: The name the first product is given in the products file: markup, a script end and quotes, which every page
#: must show as text (the dashboard tests look for it escaped).
HOSTILE_NAME = '<img src=x onerror="alert(1)"></script><b>Mug & "Co"'
HOSTILE_PRODUCT = "P00001"


def write_files(folder: Path) -> dict[str, Path]:
    """The simulated shop's files, its orders split at :data:`SPLIT_DAY` (``early`` and ``later``)."""
    paths = write_shop(simulate_shop(n_customers=300, n_products=40, n_days=200, seed=1), folder, format="csv")
    products = pd.read_csv(paths["products"], dtype=str)
    products.loc[products["product_id"] == HOSTILE_PRODUCT, "name"] = HOSTILE_NAME
    products.to_csv(paths["products"], index=False)
    orders = pd.read_csv(paths["orders"], dtype=str)
    early = orders["ordered_at"] < SPLIT_DAY
    paths["early"], paths["later"] = folder / "orders_early.csv", folder / "orders_later.csv"
    orders[early].to_csv(paths["early"], index=False)
    orders[~early].to_csv(paths["later"], index=False)
    return paths


def customer_risk_table(workspace: Workspace, truth: Path) -> pd.DataFrame:
    features = latest_run(workspace, "segments").result.tables["behaviour_features"]
    active = pd.read_parquet(truth, columns=["customer_id", "active_at_end"])
    table = features.merge(active, on="customer_id")
    table["churned"] = (table.pop("active_at_end") == False).astype(int)  # noqa: E712 (None is not churned)
    return table


def build_workspace(root: Path, paths: dict[str, Path]) -> dict[str, str]:
    """Load the early orders into ``root`` and save one run of each analysis the API serves; return the
    names of two API keys, one of them revoked, as ``{"key": ..., "revoked": ...}``."""
    with Shop(Workspace(root)) as shop:
        shop.ingest([paths["early"]], IngestOptions(), products=[paths["products"]],
                    customers=[paths["customers"]])
        overview_sections(shop, seen_batches(shop.workspace))  # the glance run the dashboard's overview shows
        shop.segments()
        shop.clv(model="bgnbd")
        shop.forecast(horizon=7, level="product", model="linear", windows=1)
        shop.forecast(horizon=7, level="category", model="linear", windows=1)
        shop.forecast(horizon=7, level="total", model="linear", windows=1)
        shop.recommend(customers=["C000001"], k=3)
        shop.price()
        table = customer_risk_table(shop.workspace, paths["truth_customers"])
        shop.risk_train(table, target="churned", id_col="customer_id", folds=3)
        shop.risk_score(table.drop(columns="churned"), id_col="customer_id")
    store = KeyStore(Workspace(root, create=False).secret_dir)
    keys = {"key": store.create("tests"), "revoked": store.create("old")}
    store.revoke("old")
    return keys
