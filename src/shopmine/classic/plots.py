"""Figures of the classic methods, drawn with the report's template."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shopmine.figures import TEMPLATE

__all__ = [
    "actual_vs_predicted", "calibration_figure", "confusion_figure", "k_choice_figure",
    "residual_figure", "roc_figure", "scatter_2d",
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
    fig = _figure(title, "mean predicted probability", "observed share of positives")
    fig.add_trace(go.Scatter(x=mean_predicted, y=observed, mode="lines+markers", name="model"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                             line={"dash": "dash"}))
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
        # SVG, not WebGL: a few thousand points draw fast enough, and the report's plotly.js bundle
        # (shopmine.report.pages.plotlyjs) is then the 1.5 MB cartesian one instead of the full 4.8 MB.
        fig.add_trace(go.Scatter(x=points[mask, 0], y=points[mask, 1], mode="markers",
                                   name=f"cluster {group}", marker={"opacity": 0.6, "size": 5}))
    return fig
