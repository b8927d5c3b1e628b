"""Figures of the classic methods, drawn with the report's template."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shopmine.figures import TEMPLATE

__all__ = [
    "actual_vs_predicted", "bar_figure", "calibration_figure", "calibration_curves_figure", "confusion_figure",
    "k_choice_figure", "ks_figure", "residual_figure", "roc_figure", "scatter_2d",
]


def _figure(title: str, x_title: str, y_title: str) -> go.Figure:
    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": title}})
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title)
    return fig


def residual_figure(fitted: np.ndarray, residuals: np.ndarray, title: str) -> go.Figure:
    """Residuals against fitted values with the zero line: a pattern means a missing term."""
    fig = _figure(title, "fitted value", "residual (actual − fitted)")
    fig.add_trace(go.Scatter(x=fitted, y=residuals, mode="markers", name="rows", marker={"opacity": 0.6}))
    fig.add_hline(y=0, line_dash="dash", line_color="#555")
    return fig


def actual_vs_predicted(actual: np.ndarray, predicted: np.ndarray, title: str) -> go.Figure:
    """Actual against predicted values with the diagonal of perfect predictions."""
    fig = _figure(title, "predicted", "actual")
    fig.add_trace(go.Scatter(x=predicted, y=actual, mode="markers", name="rows", marker={"opacity": 0.6}))
    low = float(min(np.min(actual), np.min(predicted)))
    high = float(max(np.max(actual), np.max(predicted)))
    fig.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", name="actual = predicted",
                             line={"dash": "dash"}))
    return fig


def confusion_figure(matrix: np.ndarray, labels: list[str], title: str) -> go.Figure:
    """Confusion matrix as an annotated heat map (rows: actual class, columns: predicted)."""
    fig = go.Figure(
        go.Heatmap(z=matrix, x=labels, y=labels, colorscale="Blues", text=matrix,
                   texttemplate="%{text}", showscale=False),
        layout={"template": TEMPLATE, "title": {"text": title}},
    )
    fig.update_layout(xaxis_title="predicted", yaxis_title="actual", yaxis_autorange="reversed")
    return fig


def roc_figure(curves: dict[str, tuple[np.ndarray, np.ndarray, float]], title: str) -> go.Figure:
    """ROC curves ``{name: (fpr, tpr, auc)}`` with the chance diagonal."""
    fig = _figure(title, "false positive rate", "true positive rate")
    for name, (fpr, tpr, auc) in curves.items():
        fig.add_trace(go.Scatter(x=fpr, y=tpr, mode="lines", name=f"{name} (AUC {auc:.3f})"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash"}))
    return fig


def calibration_figure(mean_predicted: np.ndarray, observed: np.ndarray, title: str) -> go.Figure:
    """Observed share of positives per bin against the mean predicted probability."""
    return calibration_curves_figure({"model": (mean_predicted, observed)}, title)


def calibration_curves_figure(curves: dict[str, tuple[np.ndarray, np.ndarray]], title: str) -> go.Figure:
    """Calibration of several models ``{name: (mean predicted probability, observed share)}`` per bin."""
    fig = _figure(title, "mean predicted probability", "observed share of positives")
    for name, (mean_predicted, observed) in curves.items():
        fig.add_trace(go.Scatter(x=mean_predicted, y=observed, mode="lines+markers", name=name))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                             line={"dash": "dash"}))
    return fig


def ks_figure(y_true: np.ndarray, p: np.ndarray, title: str) -> go.Figure:
    """Cumulative share of positives and of negatives from the riskiest row down, and the KS gap between
    them (the largest distance, marked)."""
    order = np.argsort(-np.asarray(p), kind="stable")
    y = np.asarray(y_true)[order]
    share = np.arange(1, len(y) + 1) / len(y)
    positives = np.cumsum(y) / max(int(y.sum()), 1)
    negatives = np.cumsum(1 - y) / max(int((1 - y).sum()), 1)
    # At most ~1,000 points per curve: enough for the eye, and a report stays small for 150,000 rows.
    keep = np.unique(np.linspace(0, len(y) - 1, min(len(y), 1000)).astype(int))
    fig = _figure(title, "share of rows, riskiest first", "cumulative share")
    fig.add_trace(go.Scatter(x=share[keep], y=positives[keep], mode="lines", name="positives"))
    fig.add_trace(go.Scatter(x=share[keep], y=negatives[keep], mode="lines", name="negatives"))
    gap = positives - negatives
    at = int(np.argmax(gap))
    fig.add_trace(go.Scatter(x=[share[at], share[at]], y=[negatives[at], positives[at]], mode="lines+markers",
                             name=f"KS {gap[at]:.3f}", line={"dash": "dot"}))
    return fig


def bar_figure(labels: list[str], values: np.ndarray, title: str, x_title: str, y_title: str,
               lines: dict[str, float] | None = None) -> go.Figure:
    """Horizontal bars (one per label, first on top) with optional vertical reference ``lines``
    ``{name: x}`` (an information-value cut-off, PSI alert levels)."""
    fig = _figure(title, x_title, y_title)
    fig.add_trace(go.Bar(x=values, y=labels, orientation="h", name=x_title))
    for name, x in (lines or {}).items():
        fig.add_vline(x=x, line_dash="dash", line_color="#555", annotation_text=name)
    fig.update_layout(yaxis_autorange="reversed", showlegend=False)
    return fig


def k_choice_figure(curve: pd.DataFrame, chosen: int, title: str) -> go.Figure:
    """Silhouette (left axis) and inertia (right axis, the elbow) per number of clusters."""
    fig = _figure(title, "number of clusters k", "silhouette")
    fig.add_trace(go.Scatter(x=curve["k"], y=curve["silhouette"], mode="lines+markers", name="silhouette"))
    fig.add_trace(go.Scatter(x=curve["k"], y=curve["inertia"], mode="lines+markers", name="inertia (elbow)",
                             yaxis="y2", line={"dash": "dot"}))
    fig.add_vline(x=chosen, line_dash="dash", line_color="#555")
    fig.update_layout(yaxis2={"title": "inertia", "overlaying": "y", "side": "right"})
    return fig


def scatter_2d(points: np.ndarray, groups: np.ndarray, axis_titles: tuple[str, str], title: str) -> go.Figure:
    """Points in two dimensions, one trace per group (cluster)."""
    fig = _figure(title, *axis_titles)
    for group in np.unique(groups):
        mask = groups == group
        # SVG, not WebGL: a few thousand points draw fast enough, and a browser keeps only a few WebGL
        # contexts per page (Chrome 16, then the oldest figure goes blank) and draws them badly without a GPU.
        fig.add_trace(go.Scatter(x=points[mask, 0], y=points[mask, 1], mode="markers",
                                   name=f"cluster {group}", marker={"opacity": 0.6, "size": 5}))
    return fig
