"""What every route shares: the run an answer comes from, JSON-safe rows, pages, and "not run yet" answers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Query, Request

from shopmine.api.errors import ApiError

#: Largest page a list route returns.
MAX_LIMIT = 1000


def run_ref(metadata: dict[str, Any]) -> dict[str, Any]:
    """The ``run`` field of an answer: the saved run's id, analysis, finish time, as-of date and models."""
    return {"id": metadata["run_id"], "analysis": metadata["analysis"], "created": metadata.get("finished_at"),
            "as_of": metadata.get("as_of"),
            "models": [{"name": m["name"], "version": m["version"], "format": m.get("format")}
                       for m in metadata.get("models", [])]}


def plain(value: Any) -> Any:
    """A cell as JSON: NaN, infinities and missing values become None, numpy scalars Python ones, times ISO."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (pd.Timestamp,)):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def records(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-safe dicts; ``columns`` maps the frame's names to the answer's (and picks)."""
    if columns is not None:
        present = {src: dst for src, dst in columns.items() if src in frame.columns}
        frame = frame[list(present)].rename(columns=present)
    names = list(frame.columns)
    return [{name: plain(v) for name, v in zip(names, row)} for row in frame.itertuples(index=False, name=None)]


def not_run(analysis: str, command: str, what: str | None = None) -> ApiError:
    """404 for an answer whose analysis was never saved as a run, naming the command that saves one."""
    return ApiError(404, f"no saved {what or analysis} run in this workspace; run `{command}` on it first "
                         f"(the API serves saved runs and never computes one).", code="analysis_not_run")


class Paging:
    """``limit`` and ``offset`` query parameters, and the page they cut."""

    def __init__(self, limit: int = Query(100, ge=1, le=MAX_LIMIT, description="Items per page."),
                 offset: int = Query(0, ge=0, le=10**9, description="Items to skip.")):
        self.limit, self.offset = limit, offset

    def page(self, request: Request, items: list[Any], total: int | None = None) -> dict[str, Any]:
        """The page of ``items`` (the whole list) with its total and the URL of the next page."""
        total = len(items) if total is None else total
        end = self.offset + self.limit
        following = str(request.url.include_query_params(offset=end, limit=self.limit)) if end < total else None
        return {"items": items[self.offset:end], "total": total, "limit": self.limit, "offset": self.offset,
                "next": following}
