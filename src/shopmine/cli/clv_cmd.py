"""``shopmine clv``: lifetime value, churn and purchase probabilities per customer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.helptext import choice
from shopmine.cli.output import check_outputs, money, percent, print_frame, print_metrics, progress, write_outputs
from shopmine.customers.clv import MODEL_CHOICES
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.clv)

METRIC_KEYS = ["as_of", "horizon_days", "purchase_model", "fallback_reason", "customers", "repeat_buyers",
               "expected_purchases_total", "expected_revenue_total", "mean_p_alive", "share_p_alive_099",
               "mean_churn_probability"]


def clv_command(
    ctx: typer.Context,
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Horizon of expected purchases "
                                              "and revenue, in days.")] = DEFAULTS["horizon_days"],
    model: Annotated[str, choice(MODEL_CHOICES, "--model", help="Purchase model behind p_alive, expected purchases, "
                                 "churn and purchase probabilities: auto (the lowest holdout RMSE on the "
                                 "shop's own history, falling back when a fit is degenerate), pareto_nbd, "
                                 "bgnbd or mbgcnbd (forced).")] = DEFAULTS["model"],
    output: Annotated[Path | None, typer.Option("--output", help="Write one row per customer (.csv, .parquet, "
                                                ".json): customer_id, p_alive, expected_purchases, "
                                                "expected_revenue, churn_probability, "
                                                "purchase_probability_30d, model.")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, plots, "
                                                    "tables and metrics.json.")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics "
                                                        "(totals, fitted parameters, the model chosen) as "
                                                        "JSON.")] = None,
) -> None:
    """Pareto/NBD, BG/NBD or MBG/CNBD-k purchases and Gamma-Gamma spend: probability alive, expected purchases and
    revenue, churn (no purchase in 90 days) and purchase-in-30-days probabilities."""
    from shopmine.customers.clv import OUTPUT_COLUMNS, PURCHASE_MODELS

    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    shop = Shop(state(ctx).workspace)
    out = console()
    what = (f"fitting {PURCHASE_MODELS[model][0]}" if model in PURCHASE_MODELS
            else "choosing the purchase model on a holdout")
    with progress(out, f"{what} and Gamma-Gamma"):
        result = shop.clv(horizon_days=horizon_days, model=model)  # saved as a run (`shopmine runs`)
    # What a merchant reads first: the answer in words and the most valuable customers, then the evidence.
    out.print(result.summary, markup=False)
    top = result.tables["customers"]
    shares = {c: percent for c in ("p_alive", "churn_probability", "purchase_probability_30d")}
    pounds = money(shop.currency)  # or dollars, euros ...: the shop's currency (shopmine.currency)
    print_frame(out, top[OUTPUT_COLUMNS], "Customers by expected revenue", max_rows=10,
                formats={"expected_revenue": pounds, "expected_purchases": lambda v: f"{v:,.1f}", **shares})
    print_metrics(out, result, METRIC_KEYS, formats={"expected_revenue_total": pounds})
    if "selection" in result.tables:
        print_frame(out, result.tables["selection"].drop(columns=["calibration_end"]),
                    "Purchase models on the holdout (purchase days per customer)")
    print_frame(out, result.tables["parameters"], "Fitted parameters (time unit: day)")
    write_outputs(out, result, table=result.tables["customers"][OUTPUT_COLUMNS], output=output,
                  metrics_output=metrics_output, output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.command("clv")(clv_command)
