"""The data-quality report of a workspace (all batches loaded so far)."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import plotly.graph_objects as go

from shopmine import line_keys
from shopmine.features.lines import CANCEL_WINDOW_DAYS, classify_lines
from shopmine.quality.bulk_lines import bulk_lines
from shopmine.quality.days import COLLAPSE_SHARE, collapsed_days
from shopmine.quality.outliers import log_fence_outliers
from shopmine.quality.returns import returns_and_cancellations
from shopmine.result import AnalysisResult
from shopmine.schema import NOT_SOLD_STATUSES, ORDER_COLUMN_NAMES

_PRODUCT = "line_type = 'product'"


def quality_report(warehouse, verify: bool = False,
                   cancel_window_days: int = CANCEL_WINDOW_DAYS) -> AnalysisResult:
    """Rows in / loaded / quarantined (by reason), duplicates, dates, nulls, returns, line types,
    currencies, outliers, bulk lines and collapsed days of the workspace's order lines.

    The invariant ``rows_in == rows_loaded + rows_quarantined`` holds for every file and is
    reported as ``invariant_holds``. Duplicates are counted three ways: exact copies of a line
    inside its file (``duplicate_rows``), lines quarantined because an earlier batch loaded them
    (``duplicates_of_loaded_lines``), and loaded lines that repeat another batch's line
    (``reloaded_lines``: loaded with ``allow_reload``, or before line keys existed).
    Cancellations and returns are counted apart (:mod:`shopmine.quality.returns`): a negative line
    matched to the sale it cancels is a cancellation, the unmatched rest a return.

    Parameters
    ----------
    warehouse : Warehouse
    verify : bool, default=False
        Also hash every order part file in full against its recorded sha256 (opening the
        warehouse only checks sizes and row counts); a mismatch raises ``ShopmineRunError``
        naming the part and its batch.
    cancel_window_days : int, default=30
        How long after a sale a cancellation is matched to it (the ``cancel_window_days`` setting).
    """
    con = warehouse.con
    parts_verified = warehouse.parts.verify(con) if verify else None
    files = con.execute(
        "SELECT batch_id, kind, source_file, date_layout, rows_in, rows_loaded, rows_quarantined, "
        "duplicate_rows, ingested_at FROM batches ORDER BY ingested_at, source_file"
    ).df()
    orders_files = files[files["kind"] == "orders"]
    rows_in = int(orders_files["rows_in"].sum())
    rows_loaded = int(orders_files["rows_loaded"].sum())
    rows_quarantined = int(orders_files["rows_quarantined"].sum())
    by_reason = con.execute(
        "SELECT q.reason, count(*) AS rows, any_value(q.detail) AS example FROM quarantine q "
        "JOIN batches b ON b.batch_id = q.batch_id AND b.source_file = q.source_file AND b.kind = 'orders' "
        "GROUP BY q.reason ORDER BY rows DESC, q.reason"
    ).df()
    # One pass over the lines for every whole-table count (each separate query re-read the Parquet).
    not_sold = ", ".join(f"'{s}'" for s in NOT_SOLD_STATUSES)
    null_counts = ", ".join(f"count(*) - count({c})" for c in ORDER_COLUMN_NAMES)
    row = con.execute(
        "SELECT count(*), min(ordered_at), max(ordered_at), count(DISTINCT customer_id), "
        f"count(DISTINCT product_id) FILTER (WHERE {_PRODUCT}), count(*) FILTER (WHERE customer_id IS NULL), "
        f"count(*) FILTER (WHERE {_PRODUCT}), {null_counts} FROM orders"
    ).fetchone()
    stored, first, last, customers, products, guest_lines, product_lines = row[:7]
    nulls = pd.DataFrame({"column": list(ORDER_COLUMN_NAMES), "nulls": list(row[7:])})
    nulls["share"] = nulls["nulls"] / stored if stored else 0.0
    line_types = dict(con.execute(
        "SELECT line_type, count(*) FROM orders GROUP BY 1 ORDER BY 2 DESC").fetchall())
    currencies = dict(con.execute(
        "SELECT coalesce(currency, '(none)'), count(*) FROM orders GROUP BY 1 ORDER BY 2 DESC").fetchall())
    sale = f"{_PRODUCT} AND quantity > 0 AND (status IS NULL OR status NOT IN ({not_sold}))"
    outliers = log_fence_outliers(con, ["quantity", "unit_price"], sale)
    # The largest outliers go into a table; the metrics keep the counts and fences.
    # Its columns even when there is no outlier: the table is saved with the quality run (Parquet), and a
    # Parquet file without columns cannot be read back by every reader.
    outlier_examples = pd.DataFrame(
        [{"measure": m, **ex} for m, o in outliers.items() for ex in o.pop("examples", [])],
        columns=["measure", "product_id", "value", "source_file", "source_line"])
    daily = con.execute(
        "SELECT CAST(ordered_at AS DATE) AS day, count(*) AS lines FROM orders GROUP BY 1 ORDER BY 1"
    ).df()
    if stored:
        table = warehouse.engine().table("orders")
        before = pd.Timestamp(last).date() + dt.timedelta(days=1)
        n_bulk, bulk = bulk_lines(table, before=before, cancel_window_days=cancel_window_days)
        if len(bulk) and "products" in warehouse.engine().con.list_tables():
            # A merchant knows products by name: the name goes beside the id.
            names = con.execute("SELECT product_id, name FROM products WHERE name IS NOT NULL").df()
            bulk = bulk.merge(names, on="product_id", how="left")
            bulk.insert(1, "name", bulk.pop("name"))
        # The counts need the matching, not the bulk fences (per-product quantiles over every sale line).
        returns = returns_and_cancellations(
            classify_lines(table, before=before, cancel_window_days=cancel_window_days, bulk=False),
            int(product_lines))
    else:
        n_bulk, bulk = 0, pd.DataFrame()
        returns = {"cancellation_lines": 0, "return_lines": 0, "cancellations_share": 0.0, "returns_share": 0.0}
    collapsed = collapsed_days(daily)
    invariant = bool((orders_files["rows_in"] == orders_files["rows_loaded"]
                      + orders_files["rows_quarantined"]).all()) and stored == rows_loaded

    metrics = {
        "rows_in": rows_in,
        "rows_loaded": rows_loaded,
        "rows_quarantined": rows_quarantined,
        "quarantined_by_reason": {r: int(n) for r, n in zip(by_reason["reason"], by_reason["rows"])},
        "invariant_holds": invariant,
        "duplicate_rows": int(orders_files["duplicate_rows"].sum()),
        "duplicates_of_loaded_lines": int(by_reason.loc[by_reason["reason"] == line_keys.REASON, "rows"].sum()),
        "reloaded_lines": line_keys.reloaded_lines(con),
        "files_loaded": int(len(orders_files)),
        "date_range": {"first": first, "last": last},
        "customers": int(customers or 0),
        "products": int(products or 0),
        "guest_line_share": guest_lines / stored if stored else 0.0,
        **returns,
        "line_types": {k: int(v) for k, v in line_types.items()},
        "currencies": {k: int(v) for k, v in currencies.items()},
        "nulls": {c: int(n) for c, n in zip(nulls["column"], nulls["nulls"])},
        "outliers": outliers,
        "bulk_lines": n_bulk,
        "collapsed_days": int(len(collapsed)),
    }
    if parts_verified is not None:
        metrics["parts_verified"] = parts_verified
    files_table = files.assign(source_file=files["source_file"].map(os.path.basename))
    summary = (
        f"{rows_in:,} order rows read from {len(orders_files)} file(s): {rows_loaded:,} loaded, "
        f"{rows_quarantined:,} quarantined"
        + (f" ({', '.join(f'{r}: {n:,}' for r, n in metrics['quarantined_by_reason'].items())})"
           if rows_quarantined else "")
        + f". {metrics['duplicate_rows']:,} exact duplicate lines"
        + (f"; {metrics['duplicates_of_loaded_lines']:,} line(s) already loaded by an earlier batch (quarantined)"
           if metrics["duplicates_of_loaded_lines"] else "")
        + (f"; {metrics['reloaded_lines']:,} loaded line(s) repeat a line of another batch"
           if metrics["reloaded_lines"] else "")
        + (f". All {parts_verified} order part file(s) match their checksums" if parts_verified is not None else "")
        + f". Orders from {first} to {last}; "
        f"{metrics['customers']:,} customers, {metrics['products']:,} products. "
        f"{returns['cancellation_lines']:,} cancellation lines ({returns['cancellations_share']:.1%} of product "
        f"lines; matched to the sale they cancel, which leaves demand) and {returns['return_lines']:,} return "
        f"lines ({returns['returns_share']:.1%}; negative lines no sale within {cancel_window_days} days "
        "matches, and lines with a return status). "
        f"{n_bulk:,} bulk lines (far beyond their product's usual line; kept out of forecast training); "
        f"{len(collapsed):,} days with fewer than {COLLAPSE_SHARE:.0%} of their weekday's median line count."
    )
    figures = {}
    if len(by_reason):
        figures["quarantine_by_reason"] = go.Figure(
            go.Bar(x=by_reason["reason"], y=by_reason["rows"]),
            layout={"title": "Quarantined rows by reason", "yaxis_title": "rows"})
    if len(daily):
        figures["lines_per_day"] = go.Figure(
            go.Scatter(x=daily["day"], y=daily["lines"], mode="lines"),
            layout={"title": "Order lines per day", "yaxis_title": "lines"})
    return AnalysisResult(
        name="quality", title="Data quality", summary=summary, metrics=metrics,
        tables={"quarantine_by_reason": by_reason, "files": files_table,
                "nulls": nulls[nulls["nulls"] > 0].reset_index(drop=True),
                "outlier_examples": outlier_examples, "bulk_lines": bulk, "collapsed_days": collapsed},
        figures=figures,
    )
