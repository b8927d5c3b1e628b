"""``shopmine recommend``: products for customers (with a reason each), bought together, or the evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopmine.cli.context import console, state
from shopmine.cli.output import check_outputs, print_frame, print_metrics, progress, write_outputs
from shopmine.errors import ShopmineInputError
from shopmine.shop import Shop, defaults

DEFAULTS = defaults(Shop.recommend)
EVALUATION_DEFAULTS = defaults(Shop.recommend_evaluation)

METRIC_KEYS = ["k", "customers", "rows", "products_recommended", "catalogue", "model", "answered_from_run"]


def recommend_command(
    ctx: typer.Context,
    customers: Annotated[list[str] | None, typer.Option("--customer", metavar="ID", help="A customer id "
                                                        "(repeat the option for several). An unknown or new "
                                                        "customer gets the recently popular products.")] = None,
    k: Annotated[int, typer.Option("--k", help="Products per customer (or per product with "
                                   "--product).")] = DEFAULTS["k"],
    product: Annotated[str | None, typer.Option("--product", metavar="ID", help="Products bought together with "
                                                "this product (for a product page).")] = DEFAULTS["product"],
    all_: Annotated[bool, typer.Option("--all", help="Every customer seen before the as-of date (write them "
                                       "with --output).")] = False,
    repeat: Annotated[bool, typer.Option("--repeat/--no-repeat", help="Whether products the customer already "
                                         "bought may be recommended.")] = DEFAULTS["repeat"],
    category: Annotated[str | None, typer.Option("--category", metavar="PATH", help="Only products in this "
                                                 "category or below (home keeps home/kitchen).")] = DEFAULTS["category"],
    exclude_inactive_days: Annotated[int | None, typer.Option("--exclude-inactive-days", metavar="N",
                                                              help="Leave out products not sold in the last N "
                                                              "days.")] = DEFAULTS["exclude_inactive_days"],
    refit: Annotated[bool, typer.Option("--refit", help="Fit the models again even when a saved run of the same "
                                        "as-of date and batches exists.")] = DEFAULTS["refit"],
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Train before the as-of date (--as-of), test on "
                                           "the --horizon-days after it (without --as-of: the log's last "
                                           "--horizon-days): every model's recall, precision, NDCG, "
                                           "MAP, hit rate and coverage at --k, all items and new items "
                                           "only.")] = False,
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Test period of --evaluate, in "
                                              "days.")] = EVALUATION_DEFAULTS["horizon_days"],
    output: Annotated[Path | None, typer.Option("--output", help="Write the recommendations (.csv, .parquet, "
                                                ".json): customer_id, rank, product_id, score, reason; with "
                                                "--evaluate the evaluation table.")] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Folder for index.html, tables and "
                                                    "metrics.json.")] = None,
    metrics_output: Annotated[Path | None, typer.Option("--metrics-output", help="Write the metrics as "
                                                        "JSON.")] = None,
) -> None:
    """Personal recommendations with a reason for every row, products bought together, or how well each
    model predicted the next weeks' purchases."""
    check_outputs(output=output, metrics_output=metrics_output, output_dir=output_dir)
    asked = [name for name, given in (("customers", bool(customers)), ("product", product is not None),
                                      ("all", all_), ("evaluate", evaluate)) if given]
    if len(asked) != 1:
        raise ShopmineInputError(
            "give exactly one of {customers} ID, {product} ID, {all} or {evaluate}"
            + (f" (got {len(asked)})." if asked else "."), "customers", mentions=["product", "all", "evaluate"])
    shop = Shop(state(ctx).workspace)
    out = console()
    if evaluate:
        _evaluate(shop, out, horizon_days, k, output, output_dir, metrics_output)
        return
    with progress(out, "recommending (from the saved run of this as-of date, else fitting the models)"):
        result = shop.recommend(customers=customers or None, k=k, repeat=repeat, category=category,
                                exclude_inactive_days=exclude_inactive_days, product=product, refit=refit)
    out.print(result.summary)
    table = result.tables["recommendations"]
    names = shop.product_names()
    shown = table.copy()
    if names is not None:
        from shopmine.recommend.reasons import safe_name

        shown.insert(shown.columns.get_loc("product_id") + 1, "name",
                     [safe_name(names.get(p), p) for p in shown["product_id"]])
    shown = shown.drop(columns="score")
    print_frame(out, shown, f"Bought together with {product}" if product is not None else f"Top {k} per customer",
                max_rows=max(k, 20) if not all_ else 20)
    # A blank read as "unknown" on the first screen: say that the models were fitted now.
    print_metrics(out, result, METRIC_KEYS, formats={"answered_from_run": lambda run: run or "none: fitted now"})
    write_outputs(out, result, table=table, output=output, metrics_output=metrics_output, output_dir=output_dir)


def _evaluate(shop: Shop, out, horizon_days: int, k: int, output, output_dir, metrics_output) -> None:
    # No date here: without --as-of the evaluation trains before the log's last days, not before shop.as_of
    # (the summary printed next names the days).
    with progress(out, f"fitting every model and testing it on {horizon_days} held-out days"):
        result = shop.recommend_evaluation(horizon_days=horizon_days, k=k)
    out.print(result.summary)
    table = result.tables["evaluation"]
    for variant, title in (("all", "all items"), ("new", "new items only (never bought before by the customer)")):
        part = table[table["variant"] == variant].drop(columns="variant")
        print_frame(out, part, f"{title}, at k = {k} ({int(part['customers'].iloc[0]):,} test customers)",
                    max_columns=9)
    examples = result.tables["examples"]
    print_frame(out, examples.drop(columns="score"), "Examples: the default's lists, bought_in_test marks a hit",
                max_rows=3 * k)
    write_outputs(out, result, table=table, output=output, metrics_output=metrics_output, output_dir=output_dir)


def register(app: typer.Typer) -> None:
    app.command("recommend")(recommend_command)
