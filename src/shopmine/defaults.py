"""The defaults of a library method, read from its signature: written once, in the library, and read by
every shell (the CLI's options) and by what describes a run (the parameters it was given beyond them)."""

from __future__ import annotations

import inspect
from typing import Any


def defaults(method) -> dict[str, Any]:
    """The default of each keyword parameter of ``method``.

    >>> def clv(self, horizon_days: int = 365, model: str = "auto"): ...
    >>> defaults(clv)
    {'horizon_days': 365, 'model': 'auto'}
    """
    return {name: p.default for name, p in inspect.signature(method).parameters.items()
            if p.default is not inspect.Parameter.empty}


def beyond_defaults(method, parameters: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``parameters`` that are given (not None) and differ from ``method``'s defaults; all
    given ones when ``method`` is None.

    >>> def segments(self, k=None, seed=42): ...
    >>> beyond_defaults(segments, {"k": 3, "seed": 42}), beyond_defaults(None, {"data": "a.csv", "x": None})
    ({'k': 3}, {'data': 'a.csv'})
    """
    base = defaults(method) if method is not None else {}
    return {k: v for k, v in parameters.items() if v is not None and (k not in base or base[k] != v)}
