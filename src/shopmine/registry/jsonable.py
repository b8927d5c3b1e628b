"""Strict conversion of metadata and small models to plain JSON values.

Unlike :func:`shopmine.result.to_jsonable`, which is lenient because it only feeds displays, this
converter refuses anything it cannot represent faithfully: the registry writes what it converts to disk
and a silently stringified object would come back as something else.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from shopmine.errors import ShopmineInputError

SUPPORTED_VALUES = (
    "None, bool, int, float, str, lists/tuples, dicts with str keys, numpy scalars, "
    "dates and datetimes (stored as ISO strings)"
)


def to_jsonable(value: Any, where: str, *, nonfinite: Literal["null", "error"] = "error") -> Any:
    """Return ``value`` as plain JSON values, or raise naming the first value that is not supported.

    Parameters
    ----------
    value : object
        The value to convert.
    where : str
        How the error message names ``value`` (``"metadata"``); nested values are named by their
        path (``"metadata['metrics']['auc']"``).
    nonfinite : {"error", "null"}, default="error"
        What to do with NaN and infinite floats, which strict JSON cannot hold. ``"null"`` stores them
        as ``null`` (the convention of :class:`shopmine.result.AnalysisResult` metrics, where an
        undefined metric is common); ``"error"`` refuses them, for values that must round-trip exactly.

    Returns
    -------
    object
        ``None``, ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict`` with ``str`` keys.

    Raises
    ------
    ShopmineInputError
        When a value (or a dict key) has a type that is not supported, or is non-finite and
        ``nonfinite="error"``.
    """
    # bool before int (bool is an int), numpy scalars before their Python look-alikes.
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isfinite(number):
            return number
        if nonfinite == "null":
            return None
        raise ShopmineInputError(
            f"{where} is {number}, which JSON cannot store; use None for a missing value."
        )
    if isinstance(value, str):
        return str(value)  # np.str_ -> str
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        # NaT is a datetime that is not equal to itself.
        return None if value != value else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        unit = np.datetime_data(value.dtype)[0]
        coarse = unit in ("Y", "M", "W", "D")
        return value.astype("datetime64[D]" if coarse else "datetime64[us]").item().isoformat()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                # json.dumps would turn 1 into "1" silently, and the dict would come back different.
                raise ShopmineInputError(
                    f"{where} has the key {key!r} of type {type(key).__name__}; keys must be str, "
                    f"convert them with str() first."
                )
            out[str(key)] = to_jsonable(item, f"{where}[{key!r}]", nonfinite=nonfinite)
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, f"{where}[{i}]", nonfinite=nonfinite) for i, item in enumerate(value)]
    hint = " (for an array use .tolist())" if isinstance(value, np.ndarray) else ""
    raise ShopmineInputError(
        f"{where} is a {type(value).__module__}.{type(value).__qualname__}, which cannot be stored "
        f"as JSON{hint}. Supported: {SUPPORTED_VALUES}."
    )
