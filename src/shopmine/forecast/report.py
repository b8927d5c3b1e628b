"""The :class:`~shopmine.result.AnalysisResult` of a forecast run: tables, metrics, plots."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from shopmine.classic.plots import actual_vs_predicted
from shopmine.forecast.run import FALLBACK_MODEL, ForecastRun
from shopmine.figures import TEMPLATE, bar_chart, scatter_with_fit
from shopmine.result import AnalysisResult

__all__ = ["HISTORY_PERIODS", "forecast_result", "history_figure", "level_scores", "recent_history"]

#: Series drawn with their forecast: the largest ones.
PLOTTED_SERIES = 3
#: Periods of each series' history kept with a run (the last ones before the forecast origin): the dashboard
#: and the API draw them beside the forecast, and they never open the warehouse. 90 days, or weeks, or months.
HISTORY_PERIODS = 90


def level_scores(level_metrics: dict) -> pd.DataFrame:
    """``level, model`` and the scores, one row per level and model, from ``ForecastRun.level_metrics``."""
    rows = [{"level": level, "model": model, **scores}
            for level, models in level_metrics.items() for model, scores in models.items()]
    return pd.DataFrame(rows)


def history_figure(history: pd.DataFrame, forecasts: pd.DataFrame, unique_id: str, name: str | None = None,
                   measure: str = "sales") -> go.Figure:
    """History, forecast and the 80 % / 95 % intervals of one series (``name`` shown beside its id)."""
    h = history[history["unique_id"] == unique_id]
    f = forecasts[forecasts["unique_id"] == unique_id]
    label = f"{unique_id} {name}" if name else unique_id
    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": f"{label}: history and forecast"}})
    for lv, opacity in ((95, 0.15), (80, 0.3)):
        fig.add_trace(go.Scatter(x=pd.concat([f["ds"], f["ds"][::-1]]),
                                 y=pd.concat([f[f"forecast-hi-{lv}"], f[f"forecast-lo-{lv}"][::-1]]),
                                 fill="toself", line={"width": 0}, opacity=opacity, name=f"{lv} % interval"))
    fig.add_trace(go.Scatter(x=h["ds"], y=h["y"], mode="lines", name="history"))
    fig.add_trace(go.Scatter(x=f["ds"], y=f["forecast"], mode="lines", name="forecast"))
    fig.update_layout(xaxis_title="period", yaxis_title=measure)
    return fig


def recent_history(history: pd.DataFrame, periods: int = HISTORY_PERIODS) -> pd.DataFrame:
    """The last ``periods`` rows of each series (``level``, ``unique_id``, ``ds``, ``y``), sorted by series and
    time: what a run keeps of the history it was fitted on.

    Examples
    --------
    >>> hist = pd.DataFrame({"unique_id": ["a"] * 4 + ["b"], "ds": pd.date_range("2024-01-01", periods=5),
    ...                      "y": [1.0, 2, 3, 4, 5], "price": 9.0})
    >>> recent_history(hist, periods=2).to_dict("list")["y"]
    [3.0, 4.0, 5.0]
    """
    keys = [k for k in ("level", "unique_id") if k in history.columns]
    recent = history[[*keys, "ds", "y"]].sort_values([*keys, "ds"], kind="stable")
    return recent.groupby(keys, sort=False).tail(periods).reset_index(drop=True)


def fit_failure_note(failures: list[dict]) -> str:
    """A sentence naming the fits that could not be made and what stood in for them ("" when none).

    Examples
    --------
    >>> fit_failure_note([{"models": ["lgbm"], "origin": "2011-01-01", "reason": "ModelFitError: all zero"}])
    ' lgbm could not be fitted at origin 2011-01-01 (ModelFitError: all zero); window_average stands in.'
    """
    if not failures:
        return ""
    parts = [f"{' and '.join(f['models'])} could not be fitted at "
             f"{'the final fit' if f['origin'] == 'final' else 'origin ' + f['origin']} ({f['reason']})"
             for f in failures]
    return " " + "; ".join(parts) + f"; {FALLBACK_MODEL} stands in."


def outlook(history: pd.DataFrame, forecasts: pd.DataFrame, names: pd.Series | None = None) -> pd.DataFrame:
    """Per series: the last ``h`` periods' actual total, the next ``h`` periods' forecast total, the change.

    ``h`` is the forecast horizon. Sorted by the forecast total, largest first: what a merchant reads
    first is where the sales will be.

    Examples
    --------
    >>> hist = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4), "y": [9.0, 1, 2, 3]})
    >>> fc = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-05", periods=2), "forecast": [4.0, 6]})
    >>> outlook(hist, fc).to_dict("records")
    [{'unique_id': 'a', 'last_periods': 5.0, 'next_periods': 10.0, 'change': 1.0}]
    """
    keys = [k for k in ("level", "unique_id") if k in forecasts.columns and k in history.columns]
    h = int(forecasts.groupby(keys).size().max())
    recent = history.sort_values("ds").groupby(keys).tail(h).groupby(keys)["y"].sum().rename("last_periods")
    ahead = forecasts.groupby(keys)["forecast"].sum().rename("next_periods")
    out = pd.concat([recent, ahead], axis=1).dropna(subset=["next_periods"]).fillna({"last_periods": 0.0})
    out["change"] = out["next_periods"] / out["last_periods"].where(out["last_periods"] > 0) - 1
    out = out.reset_index().sort_values(["next_periods", *keys], ascending=[False, *[True] * len(keys)],
                                        ignore_index=True)
    if names is not None:
        out.insert(out.columns.get_loc("unique_id") + 1, "name", out["unique_id"].astype(str).map(names))
    return out


def forecast_result(run: ForecastRun, *, level: str = "series", measure: str | None = None,
                    names: pd.Series | None = None) -> AnalysisResult:
    """Tables, metrics and figures of one :class:`~shopmine.forecast.run.ForecastRun`.

    Parameters
    ----------
    run : ForecastRun
    level : str, default="series"
        What a series is (``product``, ``category``, ``total``), for titles.
    measure : str, optional
        What was forecast (``units``, ``revenue``), for titles.
    names : pandas.Series, optional
        Product names by id: shown beside the ids in the forecasts table and the charts' titles.

    Returns
    -------
    AnalysisResult
        Tables ``outlook``, ``forecasts``, ``backtest_scores``, ``history`` (:func:`recent_history`) and,
        when those models ran, ``linear_coefficients``, ``linear_correlations``, ``lgbm_importance``,
        ``lgbm_contributions``; metrics per model.
    """
    scores = pd.DataFrame(run.metrics).T.rename_axis("model").reset_index()
    # Series each model was scored on: AutoETS may run on the best sellers only (ets_series).
    bt = run.backtest
    scores.insert(1, "series", [int(bt.loc[bt[m].notna(), "unique_id"].nunique()) if m in bt else 0
                                for m in scores["model"]])
    forecasts = run.forecasts
    if names is not None and "unique_id" in forecasts:
        forecasts = forecasts.copy()
        forecasts.insert(forecasts.columns.get_loc("unique_id") + 1, "name",
                         forecasts["unique_id"].astype(str).map(names))
    # The outlook (largest forecast first) before the forecasts themselves (by id): a report reads its
    # tables in this order, and its first rows should be where the sales will be, not product 10002's zeros.
    tables = {"outlook": outlook(run.history, run.forecasts, names), "forecasts": forecasts,
              "backtest_scores": scores, "history": recent_history(run.history)}
    figures = {}
    top = run.history.groupby("unique_id")["y"].sum().nlargest(PLOTTED_SERIES).index
    for uid in top:
        name = names.get(str(uid)) if names is not None else None
        figures[f"forecast_{uid}"] = history_figure(run.history, run.forecasts, uid, name, measure or "sales")
    figures["backtest_error"] = bar_chart(scores, "model", ["rmsse", "wape", "mase"],
                                          title="Backtest error by model (lower is better)")
    if run.level_metrics:
        by_level = level_scores(run.level_metrics)
        tables["backtest_scores_by_level"] = by_level
        wide = by_level.pivot(index="level", columns="model", values="rmsse").reset_index()
        figures["backtest_error_by_level"] = bar_chart(
            wide, "level", [c for c in wide.columns if c != "level"],
            title="Backtest RMSSE by level: base models and the reconciled forecasts (lower is better)")
    linear = run.explainers.get("linear")
    if linear is not None:
        tables["linear_coefficients"] = linear.coefficients_
        tables["linear_correlations"] = linear.correlations_
        sample = linear.sample_
        figures["linear_actual_vs_fitted"] = actual_vs_predicted(
            sample["sales"].to_numpy(), sample["fitted"].to_numpy(),
            "Linear regression: actual against fitted sales (scaled by series mean)")
        strongest = [f for f in linear.correlations_["feature"] if sample[f].nunique() > 1][:1]
        for feature in strongest:
            figures["linear_scatter"] = scatter_with_fit(sample, feature, "sales",
                                                         title=f"Sales against the strongest driver, {feature}")
    lgbm = run.explainers.get("lgbm")
    fitted = {}
    if lgbm is not None:
        tables["lgbm_importance"] = lgbm.importance_
        tables["lgbm_contributions"] = lgbm.contributions()
        # The final fit's booster, kept with a saved run in LightGBM's text format (shopmine.runs).
        fitted["lgbm"] = lgbm.booster_
    def rank(m: str) -> tuple[float, bool]:
        rmsse = run.metrics[m]["rmsse"]
        return (rmsse if rmsse == rmsse else float("inf"), m != FALLBACK_MODEL)

    best = min(run.metrics, key=rank)
    n_series = run.forecasts["unique_id"].nunique()
    per_series = run.forecasts.drop_duplicates("unique_id")["model"]
    fallback = int((per_series == FALLBACK_MODEL).sum()) if run.served != FALLBACK_MODEL else 0
    short = (f" ({fallback} with too little history for the other models: {FALLBACK_MODEL})"
             if fallback else "")
    what = f" ({measure})" if measure else ""
    summary = (f"Forecast of {n_series} {level} series{what}, {run.forecasts.groupby('unique_id').size().iloc[0]} periods "
               f"ahead, served by {run.served}{short}. Best backtest RMSSE: {best} "
               f"({run.metrics[best]['rmsse']:.3f}).")
    models = [c for c in run.metrics if c != "auto"]
    if (len(models) > 1 and FALLBACK_MODEL in run.backtest
            and all(run.backtest[c].equals(run.backtest[FALLBACK_MODEL]) for c in models)):
        summary += (f" At every backtest origin the series had too little history for the other models, so "
                    f"every model's backtest is {FALLBACK_MODEL}'s.")
    summary += fit_failure_note(run.failures)
    metrics = {"served_model": run.served, "n_series": n_series, **({"measure": measure} if measure else {}),
               **run.metrics}
    return AnalysisResult(name="forecast", title=f"Sales forecast ({level}{', ' + measure if measure else ''})",
                          summary=summary,
                          tables=tables, metrics=metrics, figures=figures, models=fitted)
