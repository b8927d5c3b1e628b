"""Feature tables as Ibis expressions that run unchanged on DuckDB and Spark (DESIGN.md, "Engines").

Every table sees only order lines before an as-of date (:func:`default_as_of`: the day after the last
order). Sale, return and cancelled lines are defined once, in :mod:`shopmine.features.lines`.
"""

from shopmine.features.customer_summary import customer_summary
from shopmine.features.dates import default_as_of
from shopmine.features.holdout import calibration_and_holdout
from shopmine.features.lines import classify_lines
from shopmine.features.overview import customer_overview, panel_overview
from shopmine.features.price_points import price_points
from shopmine.features.sales_panel import sales_panel

__all__ = [
    "calibration_and_holdout",
    "classify_lines",
    "customer_overview",
    "customer_summary",
    "default_as_of",
    "panel_overview",
    "price_points",
    "sales_panel",
]
