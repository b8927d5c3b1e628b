"""Small figure helpers shared by the analyses, all drawn with one template.

Outside ``report/`` so that an analysis can draw its figures without importing the HTML renderer.

Thin wrappers over plotly express: the point is a consistent look (fonts matching the report,
white background, left-aligned titles) and a clear error for a missing column, not a new
plotting API. Analyses needing more build on the returned figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

from shopmine.errors import ShopmineInputError

__all__ = ["TEMPLATE", "bar_chart", "histogram", "line_chart", "scatter_with_fit"]

#: The report's CSS font stack, so figures and text look like one document.
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
#: Okabe-Ito colours: distinguishable with the common forms of colour blindness.
COLORWAY = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def _build_template() -> go.layout.Template:
    # A copy of plotly_white, not a registered default: setting pio.templates.default would
    # change every figure in the user's process.
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.update(
        font={"family": FONT_FAMILY, "size": 13, "color": "#1f2328"},
        colorway=COLORWAY,
        title={"x": 0.01, "xanchor": "left", "font": {"size": 16}},
        margin={"l": 64, "r": 24, "t": 56, "b": 56},
    )
    return template


#: The one template every helper uses; pass it to your own figures for the same look.
TEMPLATE = _build_template()


def _require_columns(df: pd.DataFrame, *columns: str | Sequence[str] | None) -> None:
    names: list[str] = []
    for column in columns:
        if column is None:
            continue
        names.extend([column] if isinstance(column, str) else list(column))
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ShopmineInputError(
            f"Column {missing[0]!r} is not in the table; available columns: "
            f"{', '.join(map(str, df.columns))}."
        )


def line_chart(
    df: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    color: str | None = None,
    title: str | None = None,
    *,
    markers: bool = False,
) -> go.Figure:
    """Line chart of ``y`` over ``x``, one line per ``color`` value or per ``y`` column.

    Parameters
    ----------
    df : pandas.DataFrame
        Long (one ``y`` and a ``color`` column) or wide (several ``y`` columns) data.
    x : str
        Column on the horizontal axis, usually a date.
    y : str or sequence of str
        Column(s) on the vertical axis.
    color : str, optional
        Column splitting the data into lines.
    title : str, optional
        Figure title.
    markers : bool, default=False
        Draw a marker at each point (useful for sparse series).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=3), "y": [1, 3, 2]})
    >>> line_chart(df, "ds", "y", title="Daily sales").layout.title.text
    'Daily sales'
    """
    _require_columns(df, x, y, color)
    return px.line(df, x=x, y=y, color=color, title=title, markers=markers, template=TEMPLATE)


def bar_chart(
    df: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    color: str | None = None,
    title: str | None = None,
    *,
    horizontal: bool = False,
    barmode: str = "group",
) -> go.Figure:
    """Bar chart of ``y`` per ``x`` category.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    x : str
        Category column.
    y : str or sequence of str
        Value column(s).
    color : str, optional
        Column splitting each category into bars.
    title : str, optional
        Figure title.
    horizontal : bool, default=False
        Bars along the horizontal axis, categories on the vertical one (long category names).
    barmode : {"group", "stack", "relative", "overlay"}, default="group"
        How bars of one category are arranged.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"segment": ["loyal", "new"], "customers": [120, 80]})
    >>> len(bar_chart(df, "segment", "customers").data)
    1
    """
    _require_columns(df, x, y, color)
    if horizontal:
        fig = px.bar(df, x=y, y=x, color=color, title=title, orientation="h", template=TEMPLATE)
    else:
        fig = px.bar(df, x=x, y=y, color=color, title=title, template=TEMPLATE)
    fig.update_layout(barmode=barmode)
    return fig


def histogram(
    df: pd.DataFrame,
    x: str,
    color: str | None = None,
    title: str | None = None,
    *,
    nbins: int | None = None,
) -> go.Figure:
    """Histogram of the values in column ``x``.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    x : str
        Column whose distribution is shown.
    color : str, optional
        Column splitting the data into overlaid histograms.
    title : str, optional
        Figure title.
    nbins : int, optional
        Maximum number of bins; default: plotly's automatic choice.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> df = pd.DataFrame({"basket": [10.0, 12.5, 30.0, 11.0]})
    >>> histogram(df, "basket", nbins=5).data[0].type
    'histogram'
    """
    _require_columns(df, x, color)
    fig = px.histogram(df, x=x, color=color, title=title, nbins=nbins, template=TEMPLATE)
    # Thin white outlines keep adjacent bins apart without the gaps that would read as a bar chart.
    fig.update_traces(marker_line_width=0.5, marker_line_color="white")
    if color is not None:
        fig.update_layout(barmode="overlay")
        fig.update_traces(opacity=0.6)
    return fig


def _signed(value: float) -> str:
    return f"− {abs(value):.4g}" if value < 0 else f"+ {value:.4g}"


def scatter_with_fit(
    df: pd.DataFrame,
    x: str,
    y: str,
    title: str | None = None,
) -> go.Figure:
    """Scatter plot of ``y`` against ``x`` with the least-squares line.

    The line is ``numpy.polyfit(x, y, 1)`` over the rows where both values are finite; its
    legend entry reads ``y = slope · x + intercept`` and the trace's ``meta`` holds
    ``{"slope": ..., "intercept": ...}`` for callers that need the numbers.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    x : str
        Numeric column on the horizontal axis (the driver).
    y : str
        Numeric column on the vertical axis (the target).
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces: the points, then the fitted line.

    Raises
    ------
    ShopmineInputError
        If a column is missing or not numeric, fewer than two rows have finite values, or
        ``x`` is constant (no line fits).

    Examples
    --------
    >>> df = pd.DataFrame({"price": [1.0, 2.0, 3.0], "units": [5.0, 7.0, 9.0]})
    >>> fig = scatter_with_fit(df, "price", "units")
    >>> fig.data[1].name
    'fit: units = 2 · price + 3'
    >>> round(fig.data[1].meta["slope"], 9), round(fig.data[1].meta["intercept"], 9)
    (2.0, 3.0)
    """
    _require_columns(df, x, y)
    for column in (x, y):
        if not pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_bool_dtype(df[column]):
            raise ShopmineInputError(
                f"Column {column!r} must be numeric for a fitted line; it has dtype "
                f"{df[column].dtype}. Convert it or choose another column."
            )
    xs = df[x].to_numpy(dtype=float)
    ys = df[y].to_numpy(dtype=float)
    finite = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[finite], ys[finite]
    if len(xs) < 2:
        raise ShopmineInputError(
            f"A fitted line of {y!r} on {x!r} needs at least 2 rows with values in both "
            f"columns; found {len(xs)}."
        )
    if np.ptp(xs) == 0:
        raise ShopmineInputError(
            f"Column {x!r} has the same value in every row, so no line can be fitted to it."
        )
    slope, intercept = (float(v) for v in np.polyfit(xs, ys, 1))
    # Two points span the line; more would only add bytes to the report.
    line_x = np.array([xs.min(), xs.max()])
    label = f"fit: {y} = {slope:.4g} · {x} {_signed(intercept)}"

    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": title} if title else None})
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=y, marker={"opacity": 0.7}))
    fig.add_trace(
        go.Scatter(
            x=line_x,
            y=slope * line_x + intercept,
            mode="lines",
            name=label,
            meta={"slope": slope, "intercept": intercept},
            hovertemplate=f"{label}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis_title=x,
        yaxis_title=y,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    )
    return fig
