"""Demand and profit around a product's current price, with the interval its elasticity interval gives.

Under constant elasticity ``q(p) = base_units (p / p0) ** e``; revenue ``p q(p)``, profit ``(p - c) q(p)``.
The curves show why a suggestion sits where it does: the profit curve's top, the allowed interval the rules
leave, the current and the suggested price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shopmine.figures import TEMPLATE

__all__ = ["CURVE_COLUMNS", "curve_figure", "price_curves"]

#: Columns of :func:`price_curves`.
CURVE_COLUMNS = ["product_id", "price", "units", "units_lo", "units_hi", "revenue", "profit", "profit_lo",
                 "profit_hi", "allowed"]
#: Okabe-Ito blue for profit (or revenue) and its band, green for units (figures.COLORWAY).
MEASURE_COLOUR, UNITS_COLOUR = "#0072B2", "#009E73"
#: The curves span this share of the current price on each side.
SPAN = 0.3


def price_curves(suggestions: pd.DataFrame, *, span: float = SPAN, points: int = 61) -> pd.DataFrame:
    """Units, revenue and profit per period at ``points`` prices from ``(1 - span) p0`` to ``(1 + span) p0``.

    Parameters
    ----------
    suggestions : pandas.DataFrame
        Rows of :func:`shopmine.pricing.optimise.suggest_prices` (``product_id, current_price, unit_cost,
        elasticity, elasticity_lo, elasticity_hi, base_units, allowed_low, allowed_high``); products without
        a finite elasticity have no curve.
    span : float, default=0.3
    points : int, default=61

    Returns
    -------
    pandas.DataFrame
        :data:`CURVE_COLUMNS`; ``*_lo``/``*_hi`` at the ends of the elasticity interval, ``allowed`` whether
        the rules allow the price (profit NaN without a unit cost).

    Examples
    --------
    >>> rows = pd.DataFrame({"product_id": ["a"], "current_price": [10.0], "unit_cost": [5.0], "elasticity": [-2.0],
    ...                      "elasticity_lo": [-2.5], "elasticity_hi": [-1.5], "base_units": [100.0],
    ...                      "allowed_low": [8.5], "allowed_high": [11.5]})
    >>> curve = price_curves(rows, points=3)
    >>> curve[["price", "units", "profit", "allowed"]].round(2).to_dict("list")
    {'price': [7.0, 10.0, 13.0], 'units': [204.08, 100.0, 59.17], 'profit': [408.16, 500.0, 473.37], 'allowed': [False, True, False]}
    """
    rows = suggestions[np.isfinite(suggestions["elasticity"].astype(float))]
    frames = []
    for row in rows.itertuples(index=False):
        p0 = float(row.current_price)
        base = float(row.base_units) if np.isfinite(row.base_units) and row.base_units > 0 else 1.0
        price = np.linspace((1 - span) * p0, (1 + span) * p0, points)
        price = np.union1d(price, [p0])  # the current price exactly, whatever the grid
        level = {end: base * (price / p0) ** float(e) for end, e in
                 (("", row.elasticity), ("lo", row.elasticity_lo), ("hi", row.elasticity_hi))}
        margin = price - float(row.unit_cost)
        low_units = np.fmin(level["lo"], level["hi"])
        high_units = np.fmax(level["lo"], level["hi"])
        frames.append(pd.DataFrame({
            "product_id": row.product_id, "price": price, "units": level[""], "units_lo": low_units,
            "units_hi": high_units, "revenue": price * level[""], "profit": margin * level[""],
            "profit_lo": np.fmin(margin * level["lo"], margin * level["hi"]),
            "profit_hi": np.fmax(margin * level["lo"], margin * level["hi"]),
            "allowed": (price >= row.allowed_low) & (price <= row.allowed_high)}))
    if not frames:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[CURVE_COLUMNS]


def curve_figure(curve: pd.DataFrame, row, label: str) -> go.Figure:
    """Profit (or revenue, without a cost) and units around the current price of one product, its interval
    band, the prices the rules allow shaded, the current and suggested prices marked."""
    has_cost = curve["profit"].notna().any()
    measure = "profit" if has_cost else "revenue"
    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": f"{label}: demand and {measure} by price"}})
    if has_cost:
        fig.add_trace(go.Scatter(x=np.concatenate([curve["price"], curve["price"][::-1]]),
                                 y=np.concatenate([curve["profit_hi"], curve["profit_lo"][::-1]]), fill="toself",
                                 line={"width": 0}, fillcolor=MEASURE_COLOUR, opacity=0.2,
                                 name="profit, elasticity interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=curve["price"], y=curve[measure], mode="lines", name=f"{measure} per period",
                             line={"color": MEASURE_COLOUR}))
    fig.add_trace(go.Scatter(x=curve["price"], y=curve["units"], mode="lines", name="units per period",
                             yaxis="y2", line={"dash": "dot", "color": UNITS_COLOUR}))
    allowed = curve.loc[curve["allowed"], "price"]
    if len(allowed):
        fig.add_vrect(x0=float(row.allowed_low), x1=float(row.allowed_high), fillcolor="#009E73", opacity=0.08,
                      line_width=0, annotation_text="allowed by the rules", annotation_position="top left")
    for x, name, dash in ((row.current_price, "current", "dash"), (row.suggested_price, "suggested", "solid")):
        fig.add_vline(x=float(x), line_dash=dash, line_color="#D55E00" if name == "suggested" else "#555555",
                      annotation_text=f"{name} {float(x):,.2f}", annotation_position="bottom right")
    fig.update_layout(xaxis_title="price", yaxis_title=f"{measure} per period",
                      yaxis2={"title": "units per period", "overlaying": "y", "side": "right", "showgrid": False},
                      legend={"orientation": "h", "y": -0.2})
    return fig
