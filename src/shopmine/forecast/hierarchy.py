"""Coherent forecasts over the product → category → total hierarchy (hierarchicalforecast).

The bottom level is one series per product; each product belongs to exactly one category, so the
summing matrix ``S`` (rows: ``total``, the categories, the products; columns: the products) defines
the category and total series as sums of product series. Base forecasts for every level come from
:func:`~shopmine.forecast.run.run_forecast` on the stacked frame, then
``HierarchicalReconciliation([BottomUp(), MinTrace("mint_shrink")])`` makes them add up.

- :func:`product_categories`: each product's one category, from the order lines and products tables
  (:meth:`shopmine.shop.Shop.forecast_hierarchy` reads them from a workspace);
- :func:`build_hierarchy`: the stacked series of all levels and ``S`` from product series;
- :func:`reconcile_forecast`: base forecasts, reconciliation, the long output with a ``level`` column.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.forecast.auto import window_mean
from shopmine.forecast.intervals import LEVELS, coverage
from shopmine.forecast.run import DEFAULT_ETS_SERIES, DEFAULT_WINDOWS, ForecastRun, run_forecast

__all__ = ["HIERARCHY_LEVELS", "RECONCILE_METHODS", "Hierarchy", "build_hierarchy", "check_reconcile",
           "product_categories", "reconcile_forecast"]

#: ``reconcile`` values; ``mint`` is MinTrace with a shrunk residual covariance.
RECONCILE_METHODS = ("bottom_up", "mint")
#: Columns of the reconciled forecasts, in the output and in the backtest scores.
RECONCILED = ("bottom_up", "mint")
HIERARCHY_LEVELS = ("total", "category", "product")
TOTAL_ID = "total"
# Column names hierarchicalforecast gives each reconciler's output for the model column "forecast".
_LIB_COLUMN = {"bottom_up": "forecast/BottomUp", "mint": "forecast/MinTrace_method-mint_shrink",
               "mint_wls_struct": "forecast/MinTrace_method-wls_struct"}


def check_reconcile(method: object) -> str:
    if method not in RECONCILE_METHODS:
        raise invalid_value("reconcile", f"one of {', '.join(RECONCILE_METHODS)}", method)
    return str(method)


@dataclass
class Hierarchy:
    """The series of every level and how they add up.

    Attributes
    ----------
    series : pandas.DataFrame
        ``unique_id, ds, y`` + drivers for all levels stacked; ``unique_id`` is an internal key
        (``total``, ``category/<name>``, ``product/<id>``) so that a product and a category may share a name.
    S : pandas.DataFrame
        The summing matrix: index = the keys (total, categories, products), columns = product keys.
    tags : dict
        ``{"total": keys, "total/category": keys, "total/category/product": keys}``.
    ids : pandas.DataFrame
        ``key, level, unique_id, category`` (the public id: ``total``, the category, the product id; the
        category of a category or product row), in ``S`` order.
    """

    series: pd.DataFrame
    S: pd.DataFrame
    tags: dict
    ids: pd.DataFrame


def _weighted_drivers(frame: pd.DataFrame, keys: list[str], drivers: list[str]) -> pd.DataFrame:
    """Sum ``y`` by ``keys``; drivers as unit-weighted means (revenue / units for the average price)."""
    work = frame[[*keys, "y", *drivers]].copy()
    for d in drivers:
        ok = work[d].notna() & (work["y"] > 0)
        work[f"_w_{d}"] = np.where(ok, work["y"], 0.0)
        work[f"_wx_{d}"] = np.where(ok, work[d].fillna(0.0) * work["y"], 0.0)
    agg = work.groupby(keys, as_index=False, sort=True).sum(numeric_only=True)
    for d in drivers:
        w = agg.pop(f"_w_{d}")
        agg[d] = np.where(w > 0, agg.pop(f"_wx_{d}") / w.where(w > 0, 1.0), np.nan)
    return agg[[*keys, "y", *drivers]]


def build_hierarchy(products: pd.DataFrame, categories: pd.Series | dict) -> Hierarchy:
    """Stack product, category and total series and build the summing matrix.

    Parameters
    ----------
    products : pandas.DataFrame
        Product series ``unique_id, ds, y`` (+ drivers), one ``unique_id`` per product.
    categories : pandas.Series or dict
        The category of each product id. Products without one go to ``"unknown"``.

    Returns
    -------
    Hierarchy
        Category and total ``y`` are the sums of their products' ``y`` (coherent history); drivers of an
        aggregate are means weighted by units.
    """
    if products.empty:
        raise ShopmineInputError("no series to forecast: the data has no rows before the as-of date.")
    cats = pd.Series(categories, dtype=object) if isinstance(categories, dict) else categories.astype(object)
    drivers = [c for c in products.columns if c not in ("unique_id", "ds", "y")]
    bottom = products.copy()
    bottom["unique_id"] = bottom["unique_id"].astype(str)
    bottom["category"] = bottom["unique_id"].map(cats).fillna("unknown").astype(str)
    mapping = bottom.drop_duplicates("unique_id")[["unique_id", "category"]]
    mapping = mapping.sort_values(["category", "unique_id"], ignore_index=True)

    by_cat = _weighted_drivers(bottom, ["category", "ds"], drivers).rename(columns={"category": "unique_id"})
    by_cat["unique_id"] = "category/" + by_cat["unique_id"]
    total = _weighted_drivers(bottom, ["ds"], drivers).assign(unique_id=TOTAL_ID)
    prods = bottom.drop(columns="category").assign(unique_id="product/" + bottom["unique_id"])
    series = pd.concat([total, by_cat, prods], ignore_index=True)[["unique_id", "ds", "y", *drivers]]
    for d in drivers:  # periods without sales have no price: the last known one, as in series_from_panel
        series[d] = series.groupby("unique_id", sort=False)[d].transform(lambda s: s.ffill().bfill())
    series = series.sort_values(["unique_id", "ds"], ignore_index=True)

    cat_names = sorted(mapping["category"].unique())
    bottom_keys = ("product/" + mapping["unique_id"]).tolist()
    rows = [TOTAL_ID, *[f"category/{c}" for c in cat_names], *bottom_keys]
    S = np.zeros((len(rows), len(bottom_keys)))
    S[0, :] = 1.0
    for i, c in enumerate(cat_names, start=1):
        S[i, (mapping["category"] == c).to_numpy()] = 1.0
    S[len(cat_names) + 1:, :] = np.eye(len(bottom_keys))
    S_df = pd.DataFrame(S, index=pd.Index(rows, name="unique_id"), columns=bottom_keys)
    tags = {"total": np.array([TOTAL_ID]),
            "total/category": np.array(rows[1:len(cat_names) + 1]),
            "total/category/product": np.array(bottom_keys)}
    ids = pd.DataFrame({"key": rows,
                        "level": ["total"] + ["category"] * len(cat_names) + ["product"] * len(bottom_keys),
                        "unique_id": [TOTAL_ID, *cat_names, *mapping["unique_id"]],
                        "category": [None, *cat_names, *mapping["category"]]})
    return Hierarchy(series, S_df, tags, ids)


def product_categories(orders, products, as_of) -> pd.Series:
    """Each product's category by the sales panel's rule (the line's category, else the products
    table's, else ``"unknown"``); a product sold under several categories goes to the one with the most
    units (ties: the first name), so that the hierarchy stays strict."""
    from shopmine.features.lines import classify_lines
    from shopmine.features.sales_panel import UNKNOWN_CATEGORY

    lines = classify_lines(orders, before=as_of, products=products, bulk=False)
    sales = lines.filter(lines.is_sale)
    by = (sales.group_by(product_id=sales.product_id, category=sales.category.fill_null(UNKNOWN_CATEGORY))
          .aggregate(units=sales.sale_units.sum()))
    frame = by.to_pyarrow().to_pandas()
    frame = frame.sort_values(["product_id", "units", "category"], ascending=[True, False, True])
    first = frame.drop_duplicates("product_id")
    return pd.Series(first["category"].astype(str).to_numpy(), index=first["product_id"].astype(str).to_numpy())


def _insample(backtest: pd.DataFrame, column: str, h: Hierarchy) -> pd.DataFrame:
    """Backtest predictions as the in-sample fit MinTrace needs: one time index per (cutoff, ds).

    Every series of the hierarchy at every step, as the library requires: a product not yet sold at
    a window's origin has no forecast there and counts as forecast 0 against what it then sold.
    """
    bt = backtest[["unique_id", "cutoff", "ds", column]].rename(columns={column: "forecast"})
    step = bt[["cutoff", "ds"]].drop_duplicates().sort_values(["cutoff", "ds"], ignore_index=True)
    step["t"] = np.arange(len(step))
    grid = pd.DataFrame({"unique_id": np.repeat(h.S.index.to_numpy(), len(step))})
    grid = pd.concat([grid, pd.concat([step] * len(h.S.index), ignore_index=True)], axis=1)
    grid = grid.merge(bt, on=["unique_id", "cutoff", "ds"], how="left")
    grid = grid.merge(h.series[["unique_id", "ds", "y"]], on=["unique_id", "ds"], how="left")
    grid = grid.fillna({"forecast": 0.0, "y": 0.0})
    return grid[["unique_id", "t", "y", "forecast"]].rename(columns={"t": "ds"})


def _reconcile(base: pd.DataFrame, h: Hierarchy, insample: pd.DataFrame | None,
               intervals: bool = True) -> tuple[pd.DataFrame, str]:
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import BottomUp, MinTrace

    # mint_shrink estimates the residual covariance from the backtest residuals (out-of-sample one- to
    # h-step errors stand in for in-sample fitted residuals, which not every model has). With fewer than
    # two residual periods there is nothing to estimate, and MinTrace falls back to wls_struct (weights
    # from the structure only).
    usable = insample is not None and insample["ds"].nunique() >= 2
    S_df = h.S.reset_index()
    levels = list(LEVELS)

    def run(shrink: bool) -> pd.DataFrame:
        mint = MinTrace(method="mint_shrink") if shrink else MinTrace(method="wls_struct")
        hrec = HierarchicalReconciliation([BottomUp(), mint])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not intervals:
                return hrec.reconcile(Y_hat_df=base, S_df=S_df, tags=h.tags, Y_df=insample if shrink else None)
            return hrec.reconcile(Y_hat_df=base, S_df=S_df, tags=h.tags, Y_df=insample if shrink else None,
                                  level=levels, intervals_method="normality")

    if usable:
        try:
            return run(True), "mint"
        except Exception as exc:  # hierarchicalforecast raises a bare Exception here
            # Series whose backtest errors are all zero (never sold, or forecast exactly) leave the
            # shrunk covariance singular; structural weights need no residuals.
            if "ill-conditioned" not in str(exc):
                raise
    return run(False), "mint_wls_struct"


def _reconciled_backtest(backtest: pd.DataFrame, column: str, h: Hierarchy) -> pd.DataFrame:
    """The backtest with ``bottom_up`` and ``mint``: each window's ``column`` forecasts reconciled.

    Done as the final forecast is, with nothing from the future of a window: MinTrace's residual
    covariance comes from the earlier windows only (structural weights at the first one). Products
    not yet sold at a window's origin have no base forecast there; they count as 0.
    """
    keys = list(h.S.index)
    parts = []
    for cutoff, window in backtest.groupby("cutoff", sort=True):
        dates = np.sort(window["ds"].unique())
        grid = pd.MultiIndex.from_product([keys, dates], names=["unique_id", "ds"]).to_frame(index=False)
        base = grid.merge(window[["unique_id", "ds", column]], on=["unique_id", "ds"], how="left")
        base = base.rename(columns={column: "forecast"}).fillna({"forecast": 0.0})
        earlier = backtest[backtest["cutoff"] < cutoff]
        rec, mint_name = _reconcile(base, h, _insample(earlier, column, h) if len(earlier) else None, intervals=False)
        rec = rec[["unique_id", "ds", _LIB_COLUMN["bottom_up"], _LIB_COLUMN[mint_name]]]
        rec.columns = ["unique_id", "ds", "bottom_up", "mint"]
        parts.append(window.merge(rec, on=["unique_id", "ds"], how="left"))
    return pd.concat(parts, ignore_index=True)


def _scores_by_level(backtest: pd.DataFrame, columns: list[str], h: Hierarchy, scales: dict,
                     nonnegative: bool) -> dict:
    """``{level: {model: scores}}`` of a reconciled backtest, ``all`` for every series together.

    Interval coverage (cross-conformal, as :func:`~shopmine.forecast.intervals.coverage`) is given for
    the base models only: the reconciled intervals are propagated differently (see
    :func:`reconcile_forecast`), so a conformal figure would describe intervals nobody is served.
    """
    levels = backtest["unique_id"].map(dict(zip(h.ids["key"], h.ids["level"], strict=True)))
    out = {}
    for level in ("all", *HIERARCHY_LEVELS):
        part = backtest if level == "all" else backtest[levels == level]
        if part.empty:
            continue
        scores = window_mean(part, columns, scales)
        for col in columns:
            cov = {lv: float("nan") for lv in LEVELS} if col in RECONCILED else coverage(part, col, nonnegative)
            scores[col].update({f"coverage_{lv}": cov[lv] for lv in LEVELS})
        out[level] = scores
    return out


def reconcile_forecast(h: Hierarchy, *, horizon: int, freq: str, model: str = "auto", season_length: int,
                       reconcile: str = "mint", windows: int = DEFAULT_WINDOWS, step: int | None = None,
                       window_size: int | None = None, ets_series: int | None = DEFAULT_ETS_SERIES,
                       progress=None) -> ForecastRun:
    """Base forecasts of every level, reconciled so that products add up to categories and the total.

    Parameters
    ----------
    h : Hierarchy
    horizon, freq, model, season_length, windows, step, window_size, ets_series, progress
        As for :func:`~shopmine.forecast.run.run_forecast` (one model choice for all levels, or one
        for the best sellers, categories and total among them, and one for the other products).
    reconcile : {"bottom_up", "mint"}, default="mint"
        The reconciled value served as ``forecast``.

    Returns
    -------
    ForecastRun
        ``forecasts``: ``level, unique_id, category`` (empty for the total), ``ds, forecast`` (reconciled),
        the 80 % / 95 % intervals, ``model``, ``reconciliation``, ``base`` (the model's own forecast),
        ``bottom_up``, ``mint`` and one column per model (base forecasts, not reconciled).
        Intervals are hierarchicalforecast's ``normality`` intervals: the base model's conformal widths
        read as normal standard deviations, propagated through the reconciliation (so centred on the
        reconciled value; lower bounds clipped at 0 when the history has no negative values). Interval
        bounds do not add up across levels; only the point forecasts are coherent. ``history`` and
        ``backtest`` carry a ``level`` column and the public ids; ``backtest`` also ``bottom_up`` and
        ``mint``, each window's base forecasts of the served model reconciled
        (:func:`_reconciled_backtest`). ``metrics`` scores every series of every level together, the
        reconciled columns included; ``level_metrics`` the same per level (``all``, ``total``,
        ``category``, ``product``), which is where reconciliation shows what it gains or costs.
    """
    reconcile = check_reconcile(reconcile)
    run = run_forecast(h.series, horizon=horizon, freq=freq, model=model, season_length=season_length,
                       windows=windows, step=step, window_size=window_size, ets_series=ets_series,
                       progress=progress)
    head = "auto" if model == "auto" else model
    fc = run.forecasts
    # The library reads a standard deviation off each symmetric pair of interval columns; ours are
    # clipped at 0 below, so the pair is rebuilt from the upper width.
    base = fc[["unique_id", "ds", "forecast"]].copy()
    for lv in LEVELS:
        width = fc[f"forecast-hi-{lv}"] - fc["forecast"]
        base[f"forecast-lo-{lv}"] = fc["forecast"] - width
        base[f"forecast-hi-{lv}"] = fc["forecast"] + width
    insample = _insample(run.backtest, head, h) if len(run.backtest) else None
    rec, mint_name = _reconcile(base, h, insample)

    served = _LIB_COLUMN[reconcile if reconcile == "bottom_up" else mint_name]
    nonnegative = bool((h.series["y"] >= 0).all())
    out = rec[["unique_id", "ds"]].copy()
    out["forecast"] = rec[served].to_numpy()
    for lv in LEVELS:
        lo = rec[f"{served}-lo-{lv}"]
        out[f"forecast-lo-{lv}"] = (lo.clip(lower=0.0) if nonnegative else lo).to_numpy()
        out[f"forecast-hi-{lv}"] = rec[f"{served}-hi-{lv}"].to_numpy()
    out["bottom_up"] = rec[_LIB_COLUMN["bottom_up"]].to_numpy()
    out["mint"] = rec[_LIB_COLUMN[mint_name]].to_numpy()
    out["reconciliation"] = "bottom_up" if reconcile == "bottom_up" else mint_name
    model_cols = [c for c in fc.columns if c not in ("unique_id", "ds", "forecast", "model")
                  and not c.startswith("forecast-")]
    extra = fc[["unique_id", "ds", "forecast", "model", *model_cols]].rename(columns={"forecast": "base"})
    out = out.merge(extra, on=["unique_id", "ds"], how="left")

    ids = h.ids.rename(columns={"unique_id": "public_id"})
    order = {k: i for i, k in enumerate(h.ids["key"])}
    out = out.assign(_order=out["unique_id"].map(order)).sort_values(["_order", "ds"], ignore_index=True)
    out = out.merge(ids, left_on="unique_id", right_on="key", how="left")
    out = out.drop(columns=["key", "unique_id", "_order"])
    out = out.rename(columns={"public_id": "unique_id"})
    ordered = ["level", "unique_id", "category", "ds", "forecast",
               *[f"forecast-{b}-{lv}" for lv in LEVELS for b in ("lo", "hi")],
               "model", "reconciliation", "base", "bottom_up", "mint", *model_cols]
    backtest, metrics, by_level = run.backtest, run.metrics, {}
    if len(backtest):
        backtest = _reconciled_backtest(backtest, head, h)
        by_level = _scores_by_level(backtest, [*run.metrics, *RECONCILED], h, run.scales, nonnegative)
        metrics = by_level["all"]
    return replace(run, forecasts=out[ordered], history=_public(run.history, ids),
                   backtest=_public(backtest, ids), metrics=metrics, level_metrics=by_level)


def _public(frame: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.merge(ids, left_on="unique_id", right_on="key", how="left")
    keyed = keyed.drop(columns=["unique_id", "key"]).rename(columns={"public_id": "unique_id"})
    return keyed[["level", "unique_id", "category", *[c for c in frame.columns if c != "unique_id"]]]
