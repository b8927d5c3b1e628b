"""``shopmine price``: suggested prices under the shop's rules, the elasticities behind them, a strategy per
customer cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import check_outputs, money, percent, print_frame, print_metrics, progress, write_outputs
from shopmine.pricing.elasticity import METHODS
from shopmine.pricing.rules import OBJECTIVES
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.price)

METRIC_KEYS = ["as_of", "objective", "max_change", "min_margin", "ending", "bounded_products", "products",
               "changed", "unchanged", "at_max_change_bound", "price_schedule", "products_without_cost",
               "elasticity_ok", "median_elasticity", "profit_per_week_now", "profit_per_week_expected", "expected_profit_change_pct_total",
               "expected_revenue_change_pct_total", "answered_from_run"]
SHOWN = ["product_id", "name", "current_price", "suggested_price", "elasticity", "expected_revenue_change_pct",
         "expected_profit_change_pct", "status"]


def short_status(status) -> str:
    """A status's headings without their explanations, for a terminal table.

    >>> short_status("no cost: revenue objective; direction unclear: a price rise loses revenue at one end")
    'no cost; direction unclear'
    >>> short_status("price schedule")
    'price schedule'
    """
    if not isinstance(status, str):
        return ""
    return "; ".join(part.split(":", 1)[0].strip() for part in status.split(";"))


def _pct(value) -> str:
    return "" if value is None or value != value else f"{value:+.1f} %"


def price_command(
    ctx: typer.Context,
    objective: Annotated[str, choice(OBJECTIVES, "--objective", help="What each price maximises: profit (needs "
                                     "unit costs; a product without one maximises revenue, with a warning) or "
                                     "revenue.")] = DEFAULTS["objective"],
    max_change: Annotated[float, typer.Option("--max-change", help="Largest change from the current price, as a "
                                              "share in (0, 1]: 0.15 allows 15 % up or down.")
                          ] = DEFAULTS["max_change"],
    min_margin: Annotated[float, typer.Option("--min-margin", help="Smallest margin (price - unit cost) / price "
                                              "a suggested price keeps, a share in [0, 1).")] = DEFAULTS["min_margin"],
    ending: Annotated[float | None, typer.Option("--ending", help="Changed prices end in this fraction (.99: 12.99), "
                                                 "never leaving the other rules; a product where none fits keeps "
                                                 "its price.")] = DEFAULTS["ending"],
    bounds: Annotated[Path | None, typer.Option("--bounds", metavar="FILE", help="A table (.csv, .parquet, .xlsx) "
                                                "product_id, min_price, max_price: each listed product's price "
                                                "stays inside (a blank bound is none).")] = DEFAULTS["bounds"],
    method: Annotated[str, choice(METHODS, "--method", help="Elasticity estimator: default (the one chosen on the "
                                  "simulator's known truth), naive (log units on log price, no controls: the "
                                  "reference confounding fools) or another named one.")] = DEFAULTS["method"],
    output: Annotated[Path | None, typer.Option("--output", help="Write one row per product sold before the as-of "
                                                "date (.csv, .parquet, .json): product_id, current_price, "
                                                "unit_cost, elasticity, elasticity_lo, elasticity_hi, "
                                                "suggested_price, expected_units_change_pct, "
                                                "expected_revenue_change_pct, expected_profit_change_pct, "
                                                "status.")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, tables "
                                                    "and metrics.json.")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics (rules, "
                                                        "counts per status, totals now and expected) as "
                                                        "JSON.")] = None,
) -> None:
    """Profit- (or revenue-) optimal prices under the shop's rules, from each product's price elasticity with
    its interval; unchanged products say why. Also a price strategy per customer cluster."""
    from shopmine.pricing.analysis import output_table

    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    with progress(out, "estimating elasticities and optimising prices (or reading the saved run)"):
        result = shop.price(objective=objective, max_change=max_change, min_margin=min_margin, ending=ending,
                            bounds=bounds, method=method)  # saved as a run (`shopmine runs`)
    out.print(result.summary)
    pounds = money(shop.currency)
    table = result.tables["suggestions"]
    print_frame(out, table[[c for c in SHOWN if c in table]],
                "Suggested prices: largest expected gain first, then estimated products by revenue "
                "(status in short; --output has it in full)", max_columns=len(SHOWN),
                formats={"current_price": pounds, "suggested_price": pounds, "elasticity": lambda v: f"{v:.2f}"
                         if v == v else "", "expected_revenue_change_pct": _pct, "expected_profit_change_pct": _pct,
                         "status": short_status})
    if "clusters" in result.tables:
        clusters = result.tables["clusters"]
        print_frame(out, clusters[["cluster", "n_customers", "elasticity", "coupon", "strategy"]],
                    "Strategy per customer cluster", formats={"elasticity": lambda v: f"{v:.2f}" if v == v else ""})
    print_metrics(out, result, METRIC_KEYS, formats={"profit_per_week_now": pounds,
                                                     "profit_per_week_expected": pounds,
                                                     "expected_profit_change_pct_total": _pct,
                                                     "expected_revenue_change_pct_total": _pct,
                                                     "max_change": percent, "min_margin": percent})
    write_outputs(out, result, table=output_table(result), output=output, metrics_output=metrics_output,
                  output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.command("price")(price_command)
