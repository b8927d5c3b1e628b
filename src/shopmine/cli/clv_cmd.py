"""``shopmine clv``: lifetime value, churn and purchase probabilities per customer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_output_path, print_frame, print_metrics, progress, write_table
from shopmine.errors import ShopmineInputError
from shopmine.shop import Shop

METRIC_KEYS = ["as_of", "horizon_days", "purchase_model", "customers", "repeat_buyers", "expected_purchases_total",
               "expected_revenue_total", "mean_p_alive", "mean_churn_probability"]


def clv_command(
    ctx: typer.Context,
    horizon_days: Annotated[int, typer.Option("--horizon-days", min=1, help="Horizon of expected purchases "
                                              "and revenue, in days.")] = 365,
    model: Annotated[str, typer.Option("--model", help="Purchase model behind p_alive, expected purchases, churn "
                                       "and purchase probabilities: pareto_nbd (default) or bgnbd.")] = "pareto_nbd",
    output: Annotated[Path | None, typer.Option("--output", help="Write one row per customer (.csv, .parquet, "
                                                ".json): customer_id, p_alive, expected_purchases, "
                                                "expected_revenue, churn_probability, "
                                                "purchase_probability_30d.")] = None,
) -> None:
    """Pareto/NBD (or BG/NBD) purchases and Gamma-Gamma spend: probability alive, expected purchases and
    revenue, churn (no purchase in 90 days) and purchase-in-30-days probabilities."""
    from shopmine.customers.clv import OUTPUT_COLUMNS, PURCHASE_MODELS, customer_lifetime_value

    if model not in PURCHASE_MODELS:
        raise ShopmineInputError(f"--model must be one of {', '.join(PURCHASE_MODELS)}; got {model!r}.")
    check_output_path(output)
    shop = Shop(state(ctx).workspace())
    out = console()
    with progress(out, f"fitting {PURCHASE_MODELS[model][0]} and Gamma-Gamma"):
        result = customer_lifetime_value(shop.orders(), as_of=shop.as_of, horizon_days=horizon_days, model=model)
    print_metrics(out, result, METRIC_KEYS)
    print_frame(out, result.tables["parameters"], "Fitted parameters (time unit: day)")
    top = result.tables["customers"].sort_values("expected_revenue", ascending=False)
    print_frame(out, top[OUTPUT_COLUMNS], "Customers by expected revenue", max_rows=10)
    out.print(result.summary)
    if output is not None:
        write_table(result.tables["customers"][OUTPUT_COLUMNS], output)
        out.print(f"written: {output}")


def register(app: typer.Typer) -> None:
    app.command("clv")(clv_command)
