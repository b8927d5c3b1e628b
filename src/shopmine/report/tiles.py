"""KPI tiles: a result's ``tiles`` table (``kpi, value, vs_previous_period, vs_last_year``) as a row of
boxes a merchant reads at a glance, each value with its change against the previous period and last year.

A change is a fraction of the earlier value (``+12%``), except for rates, whose change is in points
(``+2.1 pts``): a rate going from 40 % to 44 % rose 4 points, not 10 %.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from shopmine.report.format import MISSING, format_metric, is_percent_key

__all__ = ["TILES_TABLE", "tile_views"]

#: The table a result names so to be shown as tiles.
TILES_TABLE = "tiles"
LABELS = {"revenue": "Revenue", "orders": "Orders", "avg_order_value": "Average order value",
          "returning_customer_rate": "Returning customers"}
COMPARISONS = (("vs_previous_period", "vs previous period"), ("vs_last_year", "vs last year"))


def _change_text(change: Any, kpi: str) -> tuple[str, str]:
    if change is None or pd.isna(change):
        return MISSING, "flat"
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if is_percent_key(kpi):
        return f"{sign}{abs(change) * 100:.1f} pts", direction
    return f"{sign}{abs(change) * 100:.0f}%", direction


def tile_views(tiles: pd.DataFrame, currency: str | None = None) -> list[dict[str, Any]]:
    """One dict per tile for the template: ``label, value`` and ``changes`` (``text, direction, against``).

    >>> frame = pd.DataFrame({"kpi": ["revenue", "returning_customer_rate"], "value": [1234.5, 0.44],
    ...                       "vs_previous_period": [0.12, 0.04], "vs_last_year": [None, -0.021]})
    >>> [(t["label"], t["value"], [c["text"] for c in t["changes"]]) for t in tile_views(frame, "GBP")]
    [('Revenue', '£1,234', ['+12%', '—']), ('Returning customers', '44%', ['+4.0 pts', '−2.1 pts'])]
    """
    views = []
    for row in tiles.to_dict("records"):
        kpi = str(row["kpi"])
        changes = []
        for column, against in COMPARISONS:
            text, direction = _change_text(row.get(column), kpi)
            changes.append({"text": text, "direction": direction, "against": against})
        views.append({"label": LABELS.get(kpi, kpi.replace("_", " ").capitalize()),
                      "value": format_metric(row["value"], kpi, currency), "changes": changes})
    return views
