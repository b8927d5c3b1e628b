"""Profit under the simulator's true demand: current prices, suggested prices, oracle prices (issue 14,
acceptance 2). Imported by ``bench/pricing.py``, which prints it as its profit section.

Protocol
--------
- Data: a simulated shop (``bench/pricing.py`` chooses its size and seed), written as CSV and ingested as
  ``shopmine demo`` does; as-of date: ``HOLDOUT_DAYS`` before the simulation's last day.
- Suggested: ``Shop.price`` with the default rules (the product's own path: price points, the default
  elasticity estimator, :func:`shopmine.pricing.optimise.suggest_prices`).
- Oracle: :func:`~shopmine.pricing.optimise.suggest_prices` with the same current prices, costs and rules,
  fed each product's TRUE elasticity (interval of zero width, status ok): ``truth_products.market_elasticity``,
  the elasticity of the whole shop's demand at regular prices (a mixture of the segments' responses; on a
  2,000-customer, 200-product shop this oracle earns 99.94 % of a brute-force search of 121 prices per
  product under the true demand, the oracle fed the per-customer ``elasticity`` 99.4 %). The JSON also
  records the profit of the latter (``profit_oracle_product_elasticity``).
- Current: every product at its current price (the latest list price before the as-of date).
- Profit of each price vector: :func:`shopmine.simulate.demand.true_demand` over the as-of date .. the last
  simulated day (the same customers, season and trend; no promotions), summed over the products.
- Every rule is checked on every product of both suggestion tables (count of breaks, must be 0).
Target: suggested >= 97 % of oracle, and > current.

Run alone: ``PYTHONPATH=src .venv/bin/python bench/pricing_profit.py [--customers N --products M --days D
--seed S]``; prints the section and writes it as the ``profit`` section of bench/results/pricing.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shopmine.ingest import IngestOptions
from shopmine.pricing.optimise import suggest_prices
from shopmine.pricing.rules import PriceRules, violations
from shopmine.shop import Shop
from shopmine.simulate import SimulatedShop, simulate_shop, write_shop
from shopmine.workspace import Workspace
from shared_data import add_simulated_shop_options

#: The days after the as-of date over which the true profit of each price vector is summed.
HOLDOUT_DAYS = 91
#: Target of acceptance 2: the suggested prices' share of the oracle's profit.
TARGET_SHARE = 0.97


def _broken(table: pd.DataFrame, rules: PriceRules) -> int:
    low, high = rules.bounds_of(table["product_id"])
    return sum(bool(violations(r.suggested_price, r.current_price, r.unit_cost, rules, lo, hi))
               for r, lo, hi in zip(table.itertuples(index=False), low, high) if "infeasible" not in r.status)


def ingested(simulated: SimulatedShop, workdir: Path) -> Workspace:
    """``simulated`` written as CSV and ingested into a fresh workspace, as ``shopmine demo`` does."""
    paths = write_shop(simulated, workdir / "shop", format="csv")
    workspace = Workspace(workdir / "workspace")
    with Shop(workspace) as shop:
        shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                    customers=[paths["customers"]])
    return workspace


def _true(simulated: SimulatedShop, column: str) -> pd.DataFrame:
    truth = simulated.truth_products.to_pandas().astype({"product_id": str})
    return pd.DataFrame({"product_id": truth["product_id"], "elasticity": truth[column],
                         "elasticity_lo": truth[column], "elasticity_hi": truth[column], "status": "ok"})


def profit_section(simulated: SimulatedShop, workspace: Workspace, rules: PriceRules | None = None) -> dict:
    """Profit per price vector under the true demand, the suggested share of the oracle's, rule breaks;
    ``workspace`` holds ``simulated`` ingested (:func:`ingested`)."""
    from shopmine.simulate.demand import true_demand

    rules = rules or PriceRules()
    end = dt.date.fromisoformat(simulated.ground_truth["period"]["end"])
    as_of = end - dt.timedelta(days=HOLDOUT_DAYS - 1)
    shop = Shop(workspace, as_of=as_of)  # the workspace's own Shop keeps it open; this one only reads
    t0 = time.perf_counter()
    result = shop.price(objective=rules.objective, max_change=rules.max_change, min_margin=rules.min_margin,
                        ending=rules.ending)
    seconds = time.perf_counter() - t0
    suggested = result.tables["suggestions"]
    market = _true(simulated, "market_elasticity")
    truth = market[["product_id", "elasticity"]]
    current = suggested[["product_id", "current_price", "unit_cost", "base_units"]]
    oracle = suggest_prices(market, current, rules)
    per_customer = suggest_prices(_true(simulated, "elasticity"), current, rules)

    def profit(prices: pd.Series) -> float:
        demand = true_demand(simulated, prices, start=as_of, end=end)
        return float(demand["profit"].sum())

    by = {name: table.set_index("product_id")[column] for name, table, column in
          (("current", suggested, "current_price"), ("suggested", suggested, "suggested_price"),
           ("oracle", oracle, "suggested_price"), ("oracle_product_elasticity", per_customer, "suggested_price"))}
    profits = {name: profit(prices) for name, prices in by.items()}
    share = profits["suggested"] / profits["oracle"] if profits["oracle"] > 0 else np.nan
    # Where the gap comes from: the error of the elasticities the optimiser acted on.
    used = suggested[suggested["elasticity_status"] == "ok"].merge(truth, on="product_id", suffixes=("", "_true"))
    error = used["elasticity"] - used["elasticity_true"]
    return {
        "as_of": str(as_of), "end": str(end), "products": len(suggested), "rules": rules.describe(),
        "profit_current": profits["current"], "profit_suggested": profits["suggested"],
        "profit_oracle": profits["oracle"], "suggested_share_of_oracle": share,
        "profit_oracle_product_elasticity": profits["oracle_product_elasticity"],
        "suggested_gain_over_current_pct": 100 * (profits["suggested"] / profits["current"] - 1),
        "target_share": TARGET_SHARE, "meets_target": bool(share >= TARGET_SHARE
                                                           and profits["suggested"] > profits["current"]),
        "changed_suggested": int((suggested["suggested_price"] != suggested["current_price"]).sum()),
        "changed_oracle": int((oracle["suggested_price"] != oracle["current_price"]).sum()),
        "rule_breaks_suggested": _broken(suggested, rules), "rule_breaks_oracle": _broken(oracle, rules),
        "status_counts": result.metrics["status_counts"], "price_seconds": seconds,
        "elasticity_used": len(used), "elasticity_error_median": float(error.median()),
        "elasticity_abs_error_median": float(error.abs().median()),
        "true_inside_interval": float(((used["elasticity_lo"] <= used["elasticity_true"])
                                       & (used["elasticity_true"] <= used["elasticity_hi"])).mean()),
    }


def print_profit(section: dict) -> None:
    """The three numbers and the verdict, as ``bench/pricing.py`` prints its sections."""
    print(f"\nProfit under the true demand, {section['as_of']} .. {section['end']} ({section['products']} products, "
          f"max change {section['rules']['max_change']:g}, min margin {section['rules']['min_margin']:g}):")
    for name in ("current", "suggested", "oracle"):
        print(f"  {name:<10} {section['profit_' + name]:>14,.0f}")
    print(f"  suggested / oracle = {section['suggested_share_of_oracle']:.4f} (target >= {section['target_share']}), "
          f"suggested vs current {section['suggested_gain_over_current_pct']:+.2f} %; rule breaks: "
          f"{section['rule_breaks_suggested']} suggested, {section['rule_breaks_oracle']} oracle; "
          f"{'meets' if section['meets_target'] else 'MISSES'} the target")
    print(f"  elasticities acted on: {section['elasticity_used']}, error median {section['elasticity_error_median']:+.3f}, "
          f"absolute {section['elasticity_abs_error_median']:.3f}, truth inside the interval "
          f"{section['true_inside_interval']:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_simulated_shop_options(parser)
    args = parser.parse_args()
    t0 = time.perf_counter()
    simulated = simulate_shop(n_customers=args.customers, n_products=args.products, n_days=args.days, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="pricing_profit") as workdir:
        section = profit_section(simulated, ingested(simulated, Path(workdir)))
    print_profit(section)
    section.update(shop={"customers": args.customers, "products": args.products, "days": args.days,
                         "seed": args.seed}, seconds=time.perf_counter() - t0)
    out = Path(__file__).resolve().parent / "results" / "pricing.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    results.setdefault("sections", {})["profit"] = section
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"written: {out} (section profit)")


if __name__ == "__main__":
    main()
