"""The price analysis of a shop: current prices, elasticities, suggestions under the rules, curves, and a
strategy per customer cluster, in one :class:`~shopmine.result.AnalysisResult`.

What :meth:`shopmine.shop.Shop.price` calls. The pieces are pure functions of tables (the price points, the
elasticity table, the cluster elasticities), so that the analysis can be run and tested on hand-made
tables; :func:`last_paid_prices` is the one query of the order lines it adds (a price for a product that
only has returns).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features.periods import last_period
from shopmine.figures import TEMPLATE
from shopmine.pricing.current import current_prices
from shopmine.pricing.curves import curve_figure, price_curves
from shopmine.pricing.optimise import OUTPUT_COLUMNS, UNBOUNDED_STATUS, suggest_prices
from shopmine.pricing.rules import PriceRules
from shopmine.pricing.strategy import DEFAULT_COUPON, cluster_strategy
from shopmine.recommend.reasons import safe_name
from shopmine.result import AnalysisResult

__all__ = ["ANALYSIS", "CURVE_PRODUCTS", "PRICE_FREQ", "check_price_request", "file_digest", "last_paid_prices",
           "output_table", "price_analysis", "price_result"]

ANALYSIS = "price"
#: Periods of the price points: days, as the default elasticity estimator wants them (its count model of
#: the day's sale lines; weekly means mix promotion and regular days: :mod:`shopmine.pricing.elasticity`).
PRICE_FREQ = "D"
#: Products whose demand and profit curves the result draws (the largest by revenue with an estimate).
CURVE_PRODUCTS = 4
#: The summary warns first when at least this share of the changed prices sit on the max-change bound
#: with no optimum behind it (:data:`~shopmine.pricing.optimise.UNBOUNDED_STATUS`).
BOUND_WARNING_SHARE = 0.5
#: Products on the elasticity figure.
ELASTICITY_PRODUCTS = 30


def file_digest(path: str | Path | None) -> str | None:
    """SHA-256 of a file's bytes (a bounds file's content decides the run, not only its name)."""
    if path is None:
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def last_paid_prices(orders: ibis.Table, *, as_of: dt.date) -> pd.Series:
    """The unit price of each product's latest product line before ``as_of``, sale or return: the price of a
    product that only has returns (the price points have no paid price without a sale)."""
    lines = orders
    if "line_type" in orders.columns:
        lines = lines.filter(lines.line_type == "product")
    lines = lines.filter(lines.ordered_at < ibis.timestamp(dt.datetime.combine(as_of, dt.time())),
                         lines.unit_price > 0)
    latest = lines.select(product_id=lines.product_id.cast("string"), unit_price=lines.unit_price.cast("float64"),
                          rank=ibis.row_number().over(group_by=lines.product_id.cast("string"),
                                                      order_by=[ibis.desc(lines.ordered_at),
                                                                ibis.desc(lines.unit_price)]))
    frame = latest.filter(latest["rank"] == 0).select("product_id", "unit_price").to_pandas()
    return frame.set_index("product_id")["unit_price"].astype(float)


def _shop_margin(suggestions: pd.DataFrame) -> float | None:
    """The typical margin ``(p - c) / p`` at today's prices, weighted by revenue (None without costs)."""
    known = suggestions[suggestions["unit_cost"].notna()]
    weight = (known["base_units"] * known["current_price"]).fillna(0.0)
    if known.empty or weight.sum() <= 0:
        return None
    margin = 1 - known["unit_cost"] / known["current_price"]
    return float(np.average(margin, weights=weight))


def _totals(table: pd.DataFrame) -> dict:
    """Revenue and profit per week at today's and the suggested prices (products with base demand)."""
    base = table["base_units"].fillna(0.0)
    p0, p1 = table["current_price"], table["suggested_price"]
    units = table["expected_units"].where(table["expected_units"].notna(), base)
    costed = table["unit_cost"].notna()
    now_rev, new_rev = float((base * p0).sum()), float((units * p1).sum())
    now_profit = float((base * (p0 - table["unit_cost"]))[costed].sum())
    new_profit = float((units * (p1 - table["unit_cost"]))[costed].sum())
    return {"revenue_per_week_now": now_rev, "revenue_per_week_expected": new_rev,
            "expected_revenue_change_pct_total": 100 * (new_rev / now_rev - 1) if now_rev > 0 else None,
            "profit_per_week_now": now_profit, "profit_per_week_expected": new_profit,
            "expected_profit_change_pct_total": 100 * (new_profit / now_profit - 1) if now_profit > 0 else None}


def _elasticity_figure(table: pd.DataFrame, labels: pd.Series) -> go.Figure | None:
    shown = table[np.isfinite(table["elasticity"])].copy()
    if shown.empty:
        return None
    shown["revenue"] = shown["base_units"].fillna(0) * shown["current_price"]
    shown = shown.nlargest(ELASTICITY_PRODUCTS, "revenue").iloc[::-1]
    y = [labels.get(p, p) for p in shown["product_id"]]
    usable = shown["elasticity_status"] == "ok"
    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": f"Own-price elasticity with its interval "
                                                                    f"({len(shown)} largest products by revenue)"}})
    for mask, name, colour in ((usable, "used", "#0072B2"), (~usable, "not used (see status)", "#999999")):
        part = shown[mask]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["elasticity"], y=[y[i] for i in np.flatnonzero(mask.to_numpy())], mode="markers", name=name,
            marker={"color": colour}, error_x={"type": "data", "symmetric": False,
                                               "array": (part["elasticity_hi"] - part["elasticity"]).fillna(0),
                                               "arrayminus": (part["elasticity"] - part["elasticity_lo"]).fillna(0)}))
    fig.add_vline(x=-1, line_dash="dot", annotation_text="-1: revenue flat")
    fig.update_layout(xaxis_title="elasticity (% change in units per 1 % price rise)", height=max(420, 22 * len(y)))
    return fig


def _cluster_figure(strategy: pd.DataFrame) -> go.Figure | None:
    shown = strategy[np.isfinite(strategy["elasticity"])]
    if shown.empty:
        return None
    fig = go.Figure(go.Bar(x=shown["cluster"].astype(str), y=shown["elasticity"],
                           error_y={"type": "data", "symmetric": False,
                                    "array": (shown["elasticity_hi"] - shown["elasticity"]).fillna(0),
                                    "arrayminus": (shown["elasticity"] - shown["elasticity_lo"]).fillna(0)},
                           marker_color=["#D55E00" if c == "yes" else "#E69F00" if c == "test" else "#0072B2"
                                         for c in shown["coupon"]]),
                    layout={"template": TEMPLATE, "title": {"text": "Price elasticity per customer cluster "
                                                                    "(orange: coupon, amber: test one, blue: none)"}})
    fig.update_layout(xaxis_title="cluster", yaxis_title="elasticity", xaxis_type="category")
    return fig


def _summary(table: pd.DataFrame, metrics: dict, rules: PriceRules, strategy: pd.DataFrame | None) -> str:
    n, changed = len(table), metrics["changed"]
    up = int((table["suggested_price"] > table["current_price"]).sum())
    reasons = table.loc[table["suggested_price"] == table["current_price"], "status"].value_counts()
    text = [f"{n:,} products sold before {metrics['as_of']}: {changed:,} get a new price ({up:,} up, "
            f"{changed - up:,} down), {n - changed:,} keep theirs"
            + (" (" + ", ".join(f"{k}: {v:,}" for k, v in reasons.head(6).items()) + ")." if len(reasons) else ".")]
    rule_text = (f"Objective {rules.objective}; every price within {rules.max_change:.0%} of today's, with a margin "
                 f"of at least {rules.min_margin:.0%} over the unit cost"
                 + (f", ending in {rules.ending:g}" if rules.ending is not None else "")
                 + (f", inside the bounds of {metrics['bounded_products']:,} products" if metrics["bounded_products"]
                    else "") + ".")
    text.extend(metrics["warnings"])  # before the totals: they qualify them
    text.append(rule_text)
    if metrics["expected_profit_change_pct_total"] is not None:
        text.append(f"Expected profit per week on the products with a unit cost: "
                    f"{metrics['profit_per_week_now']:,.0f} now, {metrics['profit_per_week_expected']:,.0f} at "
                    f"the suggested prices ({metrics['expected_profit_change_pct_total']:+.1f} %); revenue "
                    f"{metrics['expected_revenue_change_pct_total']:+.1f} %.")
    elif metrics["expected_revenue_change_pct_total"] is not None:
        text.append(f"Expected revenue per week: {metrics['expected_revenue_change_pct_total']:+.1f} %.")
    if strategy is not None and len(strategy):
        coupons = strategy.loc[strategy["coupon"] == "yes", "cluster"].astype(str).tolist()
        tests = strategy.loc[strategy["coupon"] == "test", "cluster"].astype(str).tolist()
        said = (f"cluster{'s' if len(coupons) > 1 else ''} {', '.join(coupons)}" if coupons else "none of them")
        text.append(f"Customer clusters: {len(strategy)}; a {metrics['coupon']:.0%} coupon pays for {said}"
                    + (f", worth a test for cluster{'s' if len(tests) > 1 else ''} {', '.join(tests)}" if tests
                       else "") + " (table clusters: the strategy of each in words).")
    return "\n\n".join(text)


def price_result(points: pd.DataFrame, elasticities: pd.DataFrame, rules: PriceRules, *, as_of: dt.date,
                 freq: str = PRICE_FREQ, cluster_elasticities: pd.DataFrame | None = None,
                 names: pd.Series | None = None,
                 last_paid: pd.Series | None = None, coupon: float = DEFAULT_COUPON,
                 extra_metrics: dict | None = None) -> AnalysisResult:
    """Suggested prices under ``rules`` for every product of ``points``, with curves and cluster strategies.

    Parameters
    ----------
    points : pandas.DataFrame
        :func:`shopmine.features.price_points.price_points` as pandas.
    elasticities : pandas.DataFrame
        :func:`shopmine.pricing.elasticity.estimate_elasticities` of ``points``.
    rules : PriceRules
    as_of : datetime.date
    freq : {"D", "W"}, default="D"
        The periods of ``points``.
    cluster_elasticities : pandas.DataFrame, optional
        :func:`shopmine.pricing.clusters.cluster_elasticities`: one strategy per cluster
        (:func:`~shopmine.pricing.strategy.cluster_strategy`) when given.
    names : pandas.Series, optional
        Product names by id.
    last_paid : pandas.Series, optional
        :func:`last_paid_prices`: the current price of a product the points give none (returns only).
    coupon : float, default=0.1
        The coupon depth the cluster strategies weigh.
    extra_metrics : dict, optional
        Recorded with the metrics (the elasticity method, the bounds file's digest ...).

    Returns
    -------
    AnalysisResult
        Tables ``suggestions`` (:data:`~shopmine.pricing.optimise.SUGGESTION_COLUMNS` with ``name``, the
        largest expected gains first: profit per period, revenue for a product without a cost),
        ``elasticities`` and, with clusters, ``clusters``; metrics
        (the rules, counts per status, per-period totals now and expected, warnings); figures (elasticities
        with intervals, demand and profit curves of the largest products, cluster elasticities).
    """
    current = current_prices(points, freq=freq, end=last_period(as_of, freq))
    if last_paid is not None and current["current_price"].isna().any():
        missing = current["current_price"].isna()
        current.loc[missing, "current_price"] = current.loc[missing, "product_id"].map(last_paid)
        current.loc[missing & current["current_price"].notna(), "price_source"] = "last line"
    no_price = current["current_price"].isna() | ~(current["current_price"] > 0)
    dropped = current.loc[no_price, "product_id"].tolist()
    table = suggest_prices(elasticities, current[~no_price], rules)
    names = names if names is not None else pd.Series(dtype=object)
    table.insert(1, "name", [safe_name(names.get(p), p) if p in names.index else None for p in table["product_id"]])
    # Largest expected gain first: profit per period, revenue per period for a product without a cost.
    revenue_gain = (table["expected_units"] * table["suggested_price"]
                    - table["base_units"] * table["current_price"])
    gain = (table["expected_profit"] - table["current_profit"]).fillna(revenue_gain)
    # Among equal gains (every product left unchanged, e.g. a shop of price schedules) the products with an
    # elasticity come first, then the best sellers by revenue: not product 10002 because its id sorts first.
    table = table.assign(_gain=gain.fillna(-np.inf), _estimated=table["elasticity"].notna(),
                         _revenue=(table["base_units"] * table["current_price"]).fillna(0.0))
    table = table.sort_values(["_gain", "_estimated", "_revenue", "product_id"], ascending=[False, False, False, True],
                              kind="stable").drop(columns=["_gain", "_estimated", "_revenue"])
    table = table.reset_index(drop=True)

    changed = int((table["suggested_price"] != table["current_price"]).sum())
    no_cost = int(table["unit_cost"].isna().sum())
    warnings = []
    if no_cost and rules.objective == "profit":
        warnings.append(f"Warning: {no_cost:,} of {len(table):,} products have no unit cost: their prices maximise "
                        f"revenue instead of profit and the margin floor is not checked for them (status 'no "
                        f"cost'). Load unit costs (a unit_cost column or a products file) to optimise profit.")
    unbounded = int(table["status"].str.contains(UNBOUNDED_STATUS["high"].split(":")[0], regex=False).sum())
    if changed and unbounded >= BOUND_WARNING_SHARE * changed:
        warnings.insert(0, f"Warning: {unbounded:,} of the {changed:,} new prices sit on the max-change bound "
                           f"({rules.max_change:.0%}) because demand looks inelastic (or, for a price cut, elastic) "
                           f"there: the window, not the data, sets them, and the model cannot see how far prices "
                           f"can move. Treat them as the direction to test, not as the price to set.")
    schedule = int((table["elasticity_status"] == "price schedule").sum())
    if schedule:
        warnings.append(f"{schedule:,} of {len(table):,} products are sold on a price schedule (several prices on "
                        f"the same day: quantity tiers or price lists), so their price variation says who bought, "
                        f"not how buyers answer a price change; they keep their prices (status 'price schedule'). "
                        f"A price test (one tier's price changed for a few weeks) would measure it.")
    if dropped:
        warnings.append(f"{len(dropped):,} products with returns only and no known price are left out "
                        f"(e.g. {safe_name(None, dropped[0])}).")
    metrics = {"as_of": as_of, "freq": freq, **rules.describe(), "products": len(table), "changed": changed,
               "unchanged": len(table) - changed, "products_without_cost": no_cost,
               "products_left_out": len(dropped), "at_max_change_bound": unbounded,
               "price_schedule": schedule,
               "status_counts": {str(k): int(v) for k, v in table["status"].value_counts().items()},
               "elasticity_ok": int((table["elasticity_status"] == "ok").sum()),
               "median_elasticity": float(table.loc[table["elasticity_status"] == "ok", "elasticity"].median())
               if (table["elasticity_status"] == "ok").any() else None,
               **_totals(table), "warnings": warnings, **(extra_metrics or {})}

    strategy = None
    if cluster_elasticities is not None and len(cluster_elasticities):
        margin = _shop_margin(table)
        strategy = cluster_strategy(cluster_elasticities, margin=margin, coupon=coupon)
        metrics["coupon"] = coupon
        metrics["clusters_coupon"] = int((strategy["coupon"] == "yes").sum())
        metrics["shop_margin"] = margin

    labels = pd.Series({p: f"{p} {n}" if n and n != p else str(p) for p, n in zip(table["product_id"], table["name"])})
    figures = {}
    elasticity_fig = _elasticity_figure(table, labels)
    if elasticity_fig is not None:
        figures["elasticities"] = elasticity_fig
    usable = table[np.isfinite(table["elasticity"]) & (table["elasticity_status"] == "ok")]
    revenue = (usable["base_units"].fillna(0) * usable["current_price"]).sort_values(ascending=False, kind="stable")
    for i, index in enumerate(revenue.index[:CURVE_PRODUCTS], start=1):
        rows = usable.loc[[index]]
        row = next(rows.itertuples(index=False))
        figures[f"curve_{i}"] = curve_figure(price_curves(rows), row, labels[row.product_id])
    if strategy is not None:
        cluster_fig = _cluster_figure(strategy)
        if cluster_fig is not None:
            figures["clusters"] = cluster_fig

    tables = {"suggestions": table, "elasticities": elasticities.reset_index(drop=True)}
    if strategy is not None:
        tables["clusters"] = strategy
    return AnalysisResult(name=ANALYSIS, title="Prices: elasticities and suggested prices under the shop's rules",
                          summary=_summary(table, metrics, rules, strategy), tables=tables, metrics=metrics,
                          figures=figures)


def check_price_request(objective, max_change, min_margin, ending, bounds, method) -> None:
    """Refuse a bad request before any data is read, naming the parameter (the bounds file is read and checked
    here too: a typo in row 900 should not wait for the elasticities)."""
    from shopmine.pricing.bounds import read_bounds
    from shopmine.pricing.elasticity import METHODS

    PriceRules(objective=objective, max_change=max_change, min_margin=min_margin, ending=ending)
    if method not in METHODS:
        raise invalid_value("method", f"one of {', '.join(METHODS)}", method)
    if bounds is not None:
        read_bounds(bounds)


def price_analysis(orders: ibis.Table, products: ibis.Table | None, *, as_of: dt.date, rules: PriceRules,
                   method: str = "default", cancel_window_days: int | None = None, names: pd.Series | None = None,
                   bounds: str | Path | None = None) -> AnalysisResult:
    """The price analysis of the order lines before ``as_of``: daily price points, elasticities (``method``),
    the elasticity of each customer cluster (k-means on price behaviour:
    :func:`shopmine.pricing.clusters.cluster_elasticities`) and :func:`price_result`.

    Raises
    ------
    ShopmineInputError
        No product sold before ``as_of``, or a bounds row that contradicts the other rules.
    """
    from shopmine.features.price_points import price_points
    from shopmine.pricing.clusters import cluster_elasticities
    from shopmine.pricing.elasticity import estimate_elasticities

    window = {} if cancel_window_days is None else {"cancel_window_days": cancel_window_days}
    points = price_points(orders, as_of=as_of, freq=PRICE_FREQ, products=products, **window).to_pandas()
    if points.empty:
        raise ShopmineInputError(f"no product was sold or returned before {as_of}; load orders or choose a later "
                                 f"{{as_of}}.", "as_of")
    elasticities = estimate_elasticities(points, method=method)
    by_cluster, notes = None, []
    try:  # a shop too small (or without customer ids) for clusters still gets its prices
        by_cluster = cluster_elasticities(
            orders, as_of=as_of, freq=PRICE_FREQ, products=products,
            exclude=elasticities.loc[elasticities["status"] == "price schedule", "product_id"].tolist())
    except ShopmineInputError as exc:
        notes.append(f"No strategy per customer cluster: {exc}")
    result = price_result(points, elasticities, rules, as_of=as_of, cluster_elasticities=by_cluster, names=names,
                          last_paid=last_paid_prices(orders, as_of=as_of),
                          extra_metrics={"elasticity_method": method, "bounds_sha256": file_digest(bounds),
                                         "cancel_window_days": cancel_window_days})
    if notes:
        result.metrics["warnings"] = [*result.metrics["warnings"], *notes]
        result.summary = "\n\n".join([result.summary, *notes])
    return result


def output_table(result: AnalysisResult) -> pd.DataFrame:
    """The output contract's table (:data:`~shopmine.pricing.optimise.OUTPUT_COLUMNS`) of a price result."""
    return result.tables["suggestions"][OUTPUT_COLUMNS]
