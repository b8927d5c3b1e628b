"""``auto``: the model with the best backtest score, or an ensemble of the best ones if it does better."""

from __future__ import annotations

import pandas as pd

from shopmine.forecast.metrics import evaluate

__all__ = ["choose_auto", "score"]


def score(metrics: dict[str, float], best: dict[str, float]) -> float:
    """RMSSE and WAPE, each relative to the best candidate's, added: lower is better."""
    return sum(metrics[k] / best[k] for k in ("rmsse", "wape") if best[k] and best[k] == best[k])


def choose_auto(backtest: pd.DataFrame, candidates: list[str], scales: dict) -> tuple[str, list[str]]:
    """Pick the candidate or the mean of the top-k candidates that backtests best.

    Parameters
    ----------
    backtest : pandas.DataFrame
        From :func:`~shopmine.forecast.backtest.rolling_origin`, one column per candidate.
    candidates : list of str
    scales : dict
        ``{cutoff: series_scales(...)}`` of each window.

    Returns
    -------
    (str, list of str)
        The served name (a model name or ``ensemble(a+b)``) and the models it averages.
    """
    ranked_metrics = _window_mean(backtest, candidates, scales)
    order = sorted(candidates, key=lambda m: ranked_metrics[m]["rmsse"])
    options = {m: [m] for m in candidates}
    trial = backtest.copy()
    for k in range(2, len(order) + 1):
        name = f"ensemble({'+'.join(order[:k])})"
        trial[name] = trial[order[:k]].mean(axis=1)
        options[name] = order[:k]
    all_metrics = _window_mean(trial, list(options), scales)
    best = {k: min(v[k] for v in all_metrics.values()) for k in ("rmsse", "wape")}
    chosen = min(options, key=lambda n: score(all_metrics[n], best))
    return chosen, options[chosen]


def _window_mean(backtest: pd.DataFrame, columns: list[str], scales: dict) -> dict[str, dict[str, float]]:
    per_window = [evaluate(g, columns, scales[c]) for c, g in backtest.groupby("cutoff", sort=True)]
    return {col: {k: float(pd.Series([w[col][k] for w in per_window]).mean()) for k in per_window[0][col]}
            for col in columns}
