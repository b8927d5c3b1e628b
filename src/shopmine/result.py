"""The one result type every analysis returns (DESIGN.md, "The seam between analyses and shells").

The CLI prints and saves it, the HTML report renders it, the API serves it; none of them
computes anything an analysis should.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass
class AnalysisResult:
    """Tables, metrics, figures and a short text summary of one analysis.

    Parameters
    ----------
    name : str
        Machine name (``quality``, ``sales_panel`` ...), used for file names and anchors.
    title : str
        Heading shown in the report.
    summary : str
        A few sentences a person reads first.
    tables : dict of str to pandas.DataFrame
        Result tables; the first one is the main table.
    metrics : dict
        Plain JSON-serialisable numbers and strings.
    figures : dict of str to plotly Figure
        Plots, in display order.
    models : dict of str to object
        Fitted model objects worth keeping (a classifier's tree ...), saved into the workspace's model
        registry when the run is saved (:mod:`shopmine.runs`); not rendered anywhere.
    run_id : str, optional
        The saved run this result is (:mod:`shopmine.runs`), None until it is saved.
    """

    name: str
    title: str
    summary: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict, repr=False)
    run_id: str | None = None

    def metrics_json(self) -> str:
        return json.dumps(to_jsonable(self.metrics), indent=2, sort_keys=False)

    def write_metrics(self, path: Path) -> None:
        from shopmine.atomic import atomic_write_text

        atomic_write_text(Path(path), self.metrics_json() + "\n")


def to_jsonable(value: Any) -> Any:
    """Turn numpy/pandas scalars, timestamps and NaN into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (pd.Timestamp,)):
        return None if pd.isna(value) else value.isoformat()
    if hasattr(value, "isoformat") and not isinstance(value, (str, bytes)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value
