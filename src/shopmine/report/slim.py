"""Figures made smaller for a page: the same picture in fewer bytes.

A report embeds every figure's data. Plotly writes numpy arrays as base64 float64 (``bdata``) and keeps
every float to 17 digits, and a forecast's dates as ``2011-12-09T00:00:00``; none of that precision can
be seen on a chart 700 pixels wide. :func:`slim_figure` rewrites the traces of a figure's JSON dict:

- float64 arrays whose values are all below :data:`FLOAT32_LIMIT` in size become float32 (plotly.js reads
  ``f4`` arrays; about 7 significant digits, half the bytes);
- plain lists of floats below that limit keep :data:`SIGNIFICANT_DIGITS` significant digits;
- lists of dates at midnight lose the ``T00:00:00``;
- a WebGL scatter (``scattergl``) of at most :data:`SVG_POINTS` points is drawn as an SVG ``scatter``: as
  fast at that size, and then the page's plotly.js can be the cartesian bundle
  (:func:`shopmine.report.pages.plotlyjs`), a third of the full one.

The layout (axis ranges, titles, annotations) is left as it is. Analyses keep their full-precision
figures in their saved runs; only the page is slimmed.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import numpy as np

__all__ = ["FLOAT32_LIMIT", "SIGNIFICANT_DIGITS", "SVG_POINTS", "slim_figure"]

#: Significant digits kept of a trace's plain floats, as float32 keeps of its arrays: a pixel is about
#: 1/1000 of an axis, and below :data:`FLOAT32_LIMIT` a value still reads right to the unit on hover.
SIGNIFICANT_DIGITS = 7
#: Floats are shortened only when every value of their list or array is below this in size: float32 is
#: then exact to the unit (its spacing at 1e7 is 1.0), so neither an amount nor a count moves; larger
#: values (timestamps in milliseconds) keep every digit.
FLOAT32_LIMIT = 1e7
#: Points up to which a WebGL scatter is drawn as SVG (plotly.js itself suggests WebGL from tens of
#: thousands of points).
SVG_POINTS = 10_000
_MIDNIGHT = re.compile(r"\d{4}-\d{2}-\d{2}T00:00:00(?:\.0+)?")


def _float32(array: dict[str, Any]) -> dict[str, Any]:
    """A plotly typed array (``{"dtype": "f8", "bdata": ...}``) as float32 when that loses nothing visible."""
    values = np.frombuffer(base64.b64decode(array["bdata"]), dtype="<f8")
    finite = values[np.isfinite(values)]
    if len(finite) and np.abs(finite).max() >= FLOAT32_LIMIT:
        return array
    return {**array, "dtype": "f4", "bdata": base64.b64encode(values.astype("<f4").tobytes()).decode("ascii")}


def _round(value: float) -> float:
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def _slim(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get("dtype") == "f8" and isinstance(value.get("bdata"), str):
            return _float32(value)
        return {key: _slim(item) for key, item in value.items()}
    if isinstance(value, list) and value:
        if all(isinstance(v, float) for v in value):
            small = all(abs(v) < FLOAT32_LIMIT for v in value if v == v and abs(v) != float("inf"))
            return [_round(v) for v in value] if small else value
        if all(isinstance(v, str) and _MIDNIGHT.fullmatch(v) for v in value):
            return [v[:10] for v in value]
        return [_slim(item) for item in value]
    return value


_ITEM_BYTES = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1}


def _points(values: Any) -> int:
    """How many values a trace's ``x`` holds: a list, or a plotly typed array (``bdata``)."""
    if isinstance(values, dict) and isinstance(values.get("bdata"), str):
        return len(base64.b64decode(values["bdata"])) // _ITEM_BYTES.get(values.get("dtype"), 8)
    return len(values) if isinstance(values, list) else 0


def _trace(trace: dict[str, Any]) -> dict[str, Any]:
    if trace.get("type") == "scattergl" and max(_points(trace.get("x")), _points(trace.get("y"))) <= SVG_POINTS:
        trace = {**trace, "type": "scatter"}
    return _slim(trace)


def slim_figure(fig_dict: dict[str, Any]) -> dict[str, Any]:
    """``fig_dict`` (a plotly figure as a JSON dict) with its traces' data slimmed; the layout is kept.

    Examples
    --------
    >>> fig = {"data": [{"type": "scatter", "x": ["2024-01-01T00:00:00", "2024-01-02T00:00:00"],
    ...                  "y": [0.123456789, 2.0]}], "layout": {"title": {"text": "T"}}}
    >>> slim_figure(fig)["data"]
    [{'type': 'scatter', 'x': ['2024-01-01', '2024-01-02'], 'y': [0.1234568, 2.0]}]
    """
    return {**fig_dict, "data": [_trace(trace) for trace in fig_dict.get("data", [])]}
