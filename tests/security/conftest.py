"""A small simulated shop whose ids hold script and spreadsheet-formula payloads.

Built once per session (ingest about 1 s, ``report`` about 30 s); the tests only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.simulate import simulate_shop, write_shop

from .payloads import CATEGORY_XSS, CUSTOMER_XSS, FILE_XSS, FORMULAS, PRODUCT_XSS

@dataclass
class PayloadShop:
    root: Path
    workspace: Path
    orders_file: Path


def run_cli(*args: object) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="session")
def payload_shop(tmp_path_factory: pytest.TempPathFactory) -> PayloadShop:
    """The shop: the best-selling product, the busiest customer and one category carry the
    script payload (the category the best-selling one); the next four products and customers carry the formulas; one line has a
    formula as its quantity (quarantined); the orders file's name carries a script too."""
    root = tmp_path_factory.mktemp("payload_shop")
    simulated = simulate_shop(n_customers=300, n_products=30, n_days=400, seed=1)
    paths = write_shop(simulated, root / "shop", format="csv")
    orders = pd.read_csv(paths["orders"], dtype=str, keep_default_na=False)
    units = orders.assign(q=orders["quantity"].astype(int)).groupby("product_id")["q"].sum()
    products = units.sort_values(ascending=False, kind="stable").index
    customers = orders.loc[orders["customer_id"] != "", "customer_id"].value_counts().index
    renames = {products[0]: PRODUCT_XSS, **dict(zip(products[1:5], FORMULAS))}
    orders["product_id"] = orders["product_id"].replace(renames)
    orders["customer_id"] = orders["customer_id"].replace(
        {customers[0]: CUSTOMER_XSS, **dict(zip(customers[1:5], FORMULAS))})
    top_category = orders.assign(q=orders["quantity"].astype(int)).groupby("category")["q"].sum().idxmax()
    orders.loc[orders["category"] == top_category, "category"] = CATEGORY_XSS
    bad = orders.iloc[[0]].assign(quantity=FORMULAS[0], order_id=FORMULAS[0])
    orders = pd.concat([orders, bad], ignore_index=True)
    orders_file = root / FILE_XSS
    orders.to_csv(orders_file, index=False)
    workspace = root / "ws"
    assert run_cli("--workspace", workspace, "ingest", orders_file) == 0
    return PayloadShop(root, workspace, orders_file)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The system Chromium; the test skips when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs it: apt-get install chromium)")
    return CHROMIUM
