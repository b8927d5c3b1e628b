"""Figures of customer value a merchant asks for first: how the segments split customers and revenue,
how concentrated value is (the Pareto curve: "the top 20 % of customers bring 74 % of revenue"), and how
expected lifetime value is spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shopmine.figures import TEMPLATE, histogram

__all__ = ["pareto_figure", "segment_shares_figure", "top_share", "value_histogram"]

#: The share of customers the Pareto curve's note reads off (the "80/20 rule" the figure tests).
TOP_SHARE = 0.2


def segment_shares_figure(segments: pd.DataFrame) -> go.Figure:
    """Each RFM segment's share of customers beside its share of revenue (horizontal bars, in the table's
    order): a segment whose revenue bar outruns its customer bar is worth more than its size."""
    labels = segments["rfm_segment"].astype(str).tolist()[::-1]  # first segment at the top
    fig = go.Figure(layout={"template": TEMPLATE})
    for column, name in (("customer_share", "share of customers"), ("revenue_share", "share of revenue")):
        values = segments[column].astype(float).tolist()[::-1]
        fig.add_bar(y=labels, x=values, name=name, orientation="h",
                    hovertemplate="%{y}: %{x:.1%}<extra>" + name + "</extra>")
    fig.update_layout(title="RFM segments: share of customers and of revenue", barmode="group",
                      xaxis={"tickformat": ".0%", "title": "share"}, legend={"orientation": "h", "y": -0.15})
    return fig


def top_share(values: np.ndarray, share: float = TOP_SHARE) -> float:
    """The share of the total held by the top ``share`` of values (negative values count as 0).

    >>> top_share(np.array([70.0, 10, 10, 5, 5]), 0.2)
    0.7
    """
    ordered = np.sort(np.clip(np.asarray(values, float), 0, None))[::-1]
    total = ordered.sum()
    if total <= 0 or len(ordered) == 0:
        return float("nan")
    top = int(np.ceil(share * len(ordered)))
    return float(ordered[:top].sum() / total)


def pareto_figure(values: np.ndarray, *, title: str, what: str) -> go.Figure:
    """Cumulative share of ``what`` against the share of customers, most valuable first."""
    ordered = np.sort(np.clip(np.asarray(values, float), 0, None))[::-1]
    total = ordered.sum()
    n = len(ordered)
    # at most ~500 points: the curve's shape, not one point per customer
    index = np.unique(np.linspace(0, n, num=min(n, 500) + 1).astype(int))
    cumulative = np.r_[0.0, np.cumsum(ordered)][index] / total if total > 0 else np.zeros(len(index))
    fig = go.Figure(layout={"template": TEMPLATE})
    fig.add_scatter(x=index / max(n, 1), y=cumulative, mode="lines", name=what,
                    hovertemplate="top %{x:.0%} of customers: %{y:.0%} of " + what + "<extra></extra>")
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="every customer equal", line={"dash": "dot"},
                    hoverinfo="skip")
    held = top_share(ordered)
    if held == held:  # not NaN
        fig.add_annotation(x=TOP_SHARE, y=held, text=f"top {TOP_SHARE:.0%}: {held:.0%} of {what}",
                           showarrow=True, arrowhead=2, ax=60, ay=30)
    fig.update_layout(title=title, xaxis={"tickformat": ".0%", "title": "customers, most valuable first"},
                      yaxis={"tickformat": ".0%", "title": f"share of {what}"})
    return fig


def value_histogram(values: pd.Series, *, column: str, title: str) -> go.Figure:
    """A histogram of ``values`` up to their 99th percentile (the few largest would squash the rest into
    one bar); the title says where it is cut."""
    cut = float(values.quantile(0.99)) if len(values) else 0.0
    shown = pd.DataFrame({column: values.clip(upper=cut)})
    return histogram(shown, column, title=f"{title} (the last bar: {cut:,.0f} or more)", nbins=40)
