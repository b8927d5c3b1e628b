"""``auto``: the model with the best backtest score, or a combination of the best ones if it does better.

Two ways to combine the top-``k`` candidates (ranked by backtest RMSSE) are offered next to the single
models: their mean, and for three or more, their median. A median ignores the one member that goes
astray at a given period (a seasonal naive echoing last week's bulk order, a trend that runs away),
which the intermittent, spiky sales of a shop produce all the time; a mean averages that error in.
Which of them serves is left to the backtest, so a shop where one model dominates keeps it.
"""

from __future__ import annotations

import pandas as pd

from shopmine.forecast.metrics import evaluate

__all__ = ["choose_auto", "combine", "score", "window_mean"]


def score(metrics: dict[str, float], best: dict[str, float]) -> float:
    """RMSSE and WAPE, each relative to the best candidate's, added: lower is better."""
    return sum(metrics[k] / best[k] for k in ("rmsse", "wape") if best[k] and best[k] == best[k])


def combine(frame: pd.DataFrame, served: str, members: list[str]) -> pd.Series:
    """The forecast of a served name from :func:`choose_auto`: a model, ``ensemble(...)`` or ``median(...)``.

    Examples
    --------
    >>> f = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 2.0], "c": [8.0, 5.0]})
    >>> combine(f, "median(a+b+c)", ["a", "b", "c"]).tolist(), combine(f, "ensemble(a+b)", ["a", "b"]).tolist()
    ([3.0, 2.0], [2.0, 2.0])
    """
    if served.startswith("median("):
        return frame[members].median(axis=1)
    return frame[members].mean(axis=1)


def choose_auto(backtest: pd.DataFrame, candidates: list[str], scales: dict) -> tuple[str, list[str]]:
    """Pick the candidate, or the mean or median of the top-k candidates, that backtests best.

    Parameters
    ----------
    backtest : pandas.DataFrame
        The rolling-origin backtest of :func:`~shopmine.forecast.run_forecast`, one column per candidate.
    candidates : list of str
    scales : dict
        ``{cutoff: series_scales(...)}`` of each window.

    Returns
    -------
    (str, list of str)
        The served name (a model name, ``ensemble(a+b)`` for a mean or ``median(a+b+c)``) and the
        models it combines; :func:`combine` turns them into the forecast.
    """
    ranked_metrics = window_mean(backtest, candidates, scales)
    order = sorted(candidates, key=lambda m: ranked_metrics[m]["rmsse"])
    options = {m: [m] for m in candidates}
    trial = backtest.copy()
    for k in range(2, len(order) + 1):
        for kind in ("ensemble", "median") if k >= 3 else ("ensemble",):
            name = f"{kind}({'+'.join(order[:k])})"
            trial[name] = combine(trial, name, order[:k])
            options[name] = order[:k]
    all_metrics = window_mean(trial, list(options), scales)
    best = {k: min(v[k] for v in all_metrics.values()) for k in ("rmsse", "wape")}
    # On a tie the simplest rule wins: when every origin was too short for the other models, all
    # columns hold the window average's forecasts, and the model served should say so.
    chosen = min(options, key=lambda n: (score(all_metrics[n], best), n != "window_average"))
    return chosen, options[chosen]


def window_mean(backtest: pd.DataFrame, columns: list[str], scales: dict) -> dict[str, dict[str, float]]:
    """``{column: scores}``: each score a plain mean over series within a window, then over windows.

    Each column is scored on the rows where it has a value: AutoETS may forecast the best sellers
    only (``run_forecast``'s ``ets_series``).
    """
    out = {}
    for col in columns:
        rows = backtest[backtest[col].notna()]
        per_window = [evaluate(g, [col], scales[c])[col] for c, g in rows.groupby("cutoff", sort=True)]
        keys = per_window[0] if per_window else evaluate(backtest.head(0), [col], pd.DataFrame(columns=["mase_scale", "rmsse_scale"]))[col]
        out[col] = {k: float(pd.Series([w[k] for w in per_window], dtype=float).mean()) for k in keys}
    return out
