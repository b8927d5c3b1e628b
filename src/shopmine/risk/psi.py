"""Drift monitoring: the population stability index (PSI) of each feature and of the score.

``PSI = Σ (actual share − expected share) × ln(actual share / expected share)`` over the bins, where the
expected shares are the training rows' and the bins are the scorecard's own (a feature) or the training
score's deciles (the score). The usual reading: below 0.1 stable, 0.1 to 0.25 worth watching, 0.25 and above
a shift that calls for a look at the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.classic.plots import bar_figure
from shopmine.result import AnalysisResult

__all__ = ["ALERT_LEVELS", "alert", "monitor_result", "psi", "score_bins"]

#: (PSI from which, alert): the usual 0.1 / 0.25 levels.
ALERT_LEVELS = ((0.25, "shift"), (0.1, "watch"), (0.0, "stable"))
#: Shares are floored here so that an empty bin on one side gives a large, finite PSI.
_FLOOR = 1e-4
#: Quantile bins of the training score.
SCORE_BINS = 10


def alert(value: float) -> str:
    if value != value:  # NaN: not measured
        return ""
    return next(name for level, name in ALERT_LEVELS if value >= level)


def psi(expected: np.ndarray, actual: np.ndarray) -> tuple[float, np.ndarray]:
    """PSI of two count (or share) vectors over the same bins, and each bin's term."""
    e = np.maximum(np.asarray(expected, float) / max(np.sum(expected), 1e-300), _FLOOR)
    a = np.maximum(np.asarray(actual, float) / max(np.sum(actual), 1e-300), _FLOOR)
    terms = (a - e) * np.log(a / e)
    return float(terms.sum()), terms


def score_bins(scores: np.ndarray) -> tuple[list[float], list[int]]:
    """Inner edges of the training score's deciles (distinct) and the training count per bin."""
    edges = np.unique(np.quantile(scores, np.linspace(0, 1, SCORE_BINS + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, scores, side="right"), minlength=len(edges) + 1)
    return edges.tolist(), counts.tolist()


def _score_labels(edges: list[float]) -> list[str]:
    bounds = [-np.inf, *edges, np.inf]
    return [f"[{lo:.1f}, {hi:.1f})" for lo, hi in zip(bounds[:-1], bounds[1:])]


def monitor_result(model, frame: pd.DataFrame) -> AnalysisResult:
    """The drift of ``frame`` against the training rows of ``model`` (a :class:`~shopmine.risk.RiskModel`)."""
    from shopmine.risk.binning import transform
    from shopmine.risk.inputs import feature_frame

    points = model.score_points(frame)  # no ids needed: a monitoring sample may repeat a customer
    rows, bins_rows = [], []
    training = model.spec["training"]
    expected = np.asarray(training["score_counts"])
    actual = np.bincount(np.searchsorted(training["score_edges"], points, side="right"),
                         minlength=len(expected))
    value, terms = psi(expected, actual)
    rows.append({"variable": "score", "kind": "score", "psi": value, "alert": alert(value), "bins": len(expected)})
    for label, e, a, t in zip(_score_labels(training["score_edges"]), expected, actual, terms):
        bins_rows.append({"variable": "score", "bin": label, "expected_share": e / expected.sum(),
                          "actual_share": a / max(actual.sum(), 1), "psi_term": t})
    present = [f for f in model.spec["binning"] if f in frame.columns]
    absent = [f for f in model.spec["binning"] if f not in frame.columns]
    X = feature_frame(frame, [f for f in model.spec["numeric"] if f in present],
                      [f for f in model.spec["categorical"] if f in present])
    binnings = model._binnings()
    indices = transform({f: binnings[f] for f in present}, X, metric="indices")
    for feature in present:
        spec = model.spec["binning"][feature]
        expected = np.asarray(spec["n_event"], float) + np.asarray(spec["n_nonevent"], float)
        index = indices[feature].to_numpy()
        unseen = int((index < 0).sum())
        actual = np.bincount(index[index >= 0], minlength=len(expected)).astype(float)
        labels = [str(b) for b in binnings[feature].binning_table.build(add_totals=False)["Bin"]]
        if unseen:  # categories never seen in training: a bin of their own, empty in training
            expected, actual = np.append(expected, 0.0), np.append(actual, unseen)
            labels.append("not seen in training")
        value, terms = psi(expected, actual)
        rows.append({"variable": feature, "kind": spec["dtype"], "psi": value, "alert": alert(value),
                     "bins": len(expected)})
        for label, e, a, t in zip(labels, expected, actual, terms):
            bins_rows.append({"variable": feature, "bin": label, "expected_share": e / expected.sum(),
                              "actual_share": a / max(actual.sum(), 1), "psi_term": t})
    for feature in absent:
        rows.append({"variable": feature, "kind": model.spec["binning"][feature]["dtype"], "psi": np.nan,
                     "alert": "column missing", "bins": 0})
    table = pd.DataFrame(rows)
    features = table[table["kind"] != "score"].sort_values("psi", ascending=False, na_position="last")
    table = pd.concat([table[table["kind"] == "score"], features], ignore_index=True)
    measured = features.dropna(subset=["psi"])
    metrics = {"rows": len(frame), "served": model.served, "score_psi": float(table["psi"].iloc[0]),
               "score_alert": table["alert"].iloc[0],
               "max_feature_psi": float(measured["psi"].max()) if len(measured) else None,
               "max_feature": measured["variable"].iloc[0] if len(measured) else None,
               "features_watch": int((measured["alert"] == "watch").sum()),
               "features_shift": int((measured["alert"] == "shift").sum()),
               "features_missing": absent}
    shifted = measured[measured["alert"] != "stable"]["variable"].tolist()
    summary = (f"Population stability of {len(frame):,} new rows against the training rows: score PSI "
               f"{metrics['score_psi']:.3f} ({metrics['score_alert']}); "
               + (f"{len(shifted)} feature(s) at 0.1 or above: {', '.join(shifted[:5])}"
                  + (" ..." if len(shifted) > 5 else "") if shifted else "every feature below 0.1")
               + ".")
    figure = bar_figure(table["variable"].tolist(), table["psi"].fillna(0).to_numpy(),
                        "Population stability index (new rows against training)", "PSI", "",
                        lines={"watch 0.1": 0.1, "shift 0.25": 0.25})
    return AnalysisResult(name="risk_monitor", title="Risk model drift (PSI)", summary=summary,
                          tables={"psi": table, "psi_bins": pd.DataFrame(bins_rows)}, metrics=metrics,
                          figures={"psi": figure})
