"""``Shop.price`` on a simulated shop: every rule holds on every product under several rule sets, one row per
product sold before the as-of date, statuses from a known set, and the saved run read back as computed."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.ingest import IngestOptions
from shopmine.pricing.optimise import OUTPUT_COLUMNS, suggest_prices
from shopmine.pricing.rules import PriceRules
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop, write_shop
from shopmine.workspace import Workspace

#: Through Shop.price (the whole path), then through suggest_prices on the same elasticities and current prices.
SHOP_RULE_SETS = [{}, {"max_change": 0.05, "min_margin": 0.45, "ending": 0.95}]
RULE_SETS = [{"ending": 0.99}, {"objective": "revenue", "max_change": 0.3}, {"max_change": 1.0, "min_margin": 0.0},
             {"objective": "revenue", "min_margin": 0.6, "ending": 0.5}]
ELASTICITY_STATUSES = {"ok", "too little variation", "not significant", "not negative", "returns only",
                       "no elasticity estimate"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("shop_price")
    simulated = simulate_shop(n_customers=400, n_products=40, n_days=420, seed=3)
    paths = write_shop(simulated, root / "shop", format="csv")
    shop = Shop(Workspace(root / "ws"))
    shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]])
    yield shop
    shop.close()


def _known_status(status: str) -> bool:
    core = status.removeprefix("no cost: revenue objective; ")
    return (core == "ok" or core.startswith(("constraint bound: ", "infeasible rules", "no price ending",
                                             "at the max-change bound: ", "direction unclear: "))
            or core.split(" (")[0] in ELASTICITY_STATUSES or core.startswith("ok (no price ending"))


def _ids(rules: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in rules.items()) or "defaults"


@pytest.fixture(scope="module")
def default_run(shop):
    return shop.price()


@pytest.mark.parametrize("rules", RULE_SETS, ids=_ids)
def test_every_rule_holds_on_every_product_under_other_rules(shop, default_run, rules):
    table = default_run.tables["suggestions"]
    out = suggest_prices(default_run.tables["elasticities"], table[["product_id", "current_price", "unit_cost",
                                                                    "base_units"]], PriceRules(**rules))
    _check(shop, out, rules)


@pytest.mark.parametrize("rules", SHOP_RULE_SETS, ids=_ids)
def test_every_rule_holds_on_every_product_of_a_simulated_shop(shop, default_run, rules):
    result = shop.price(**rules) if rules else default_run
    _check(shop, result.tables["suggestions"], rules)
    assert result.metrics["changed"] > 0  # the simulated shop's prices vary: something is worth changing


def _check(shop, table: pd.DataFrame, rules: dict) -> None:
    max_change, min_margin = rules.get("max_change", 0.15), rules.get("min_margin", 0.2)
    lines = shop.orders().to_pandas()
    before = lines[(lines["ordered_at"] < pd.Timestamp(shop.as_of)) & (lines["line_type"] == "product")]
    assert set(before.loc[before["quantity"] > 0, "product_id"].astype(str)) <= set(table["product_id"])
    assert table["product_id"].is_unique and table["suggested_price"].notna().all()
    assert set(OUTPUT_COLUMNS) <= set(table.columns)
    checked = 0
    for row in table.itertuples(index=False):
        assert _known_status(row.status), row.status
        if "infeasible rules" in row.status:
            assert row.suggested_price == row.current_price
            continue
        assert abs(row.suggested_price - row.current_price) <= max_change * row.current_price, row
        if row.unit_cost == row.unit_cost:
            assert (row.suggested_price - row.unit_cost) / row.suggested_price >= min_margin, row
        ending = rules.get("ending")
        if ending is not None and row.suggested_price != row.current_price and "ending" not in row.status:
            assert round(row.suggested_price % 1, 6) == ending, row
        checked += 1
    assert checked >= len(table) // 2


def test_the_saved_run_is_read_back_as_computed(shop, default_run):
    first = default_run
    again = shop.price()
    assert again.metrics["answered_from_run"] == first.run_id
    pd.testing.assert_frame_equal(again.tables["suggestions"], first.tables["suggestions"], check_dtype=False)
    assert again.run_id == first.run_id and again.summary == first.summary


def test_each_price_behaviour_cluster_gets_a_strategy(shop, default_run):
    result = default_run
    strategy = result.tables["clusters"]
    customers = shop.customer_summary().to_pandas()
    assert len(strategy) == 4 and strategy["n_customers"].sum() <= len(customers)
    assert set(strategy["coupon"]) <= {"yes", "test", "no"} and strategy["strategy"].str.len().gt(40).all()
    for row in strategy.itertuples(index=False):
        if row.status != "ok":
            assert row.coupon == "no" and row.strategy.startswith("No reliable price sensitivity")
        elif row.coupon == "yes":
            assert row.expected_profit_change_pct_lo > 0 and "Give them targeted coupons" in row.strategy
    assert result.metrics["clusters_coupon"] == int((strategy["coupon"] == "yes").sum())
    assert f"Customer clusters: {len(strategy)}" in result.summary
