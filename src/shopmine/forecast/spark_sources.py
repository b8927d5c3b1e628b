"""The series frame of a shop's sales panel on Spark, left on the cluster for the Spark forecast run."""

from __future__ import annotations

from shopmine.errors import ShopmineInputError
from shopmine.forecast.data import PANEL_DRIVERS
from shopmine.forecast.sources import check_series_request, series_from_sales_panel
from shopmine.forecast.spark_frames import by_series, collect, series_schema

__all__ = ["spark_series"]


def spark_series(panel, *, level: str = "product", freq: str = "D", top: int | None = None, measure: str = "units",
                 keep_outliers: bool = False, as_of=None):
    """:func:`~shopmine.forecast.sources.series_from_sales_panel` of a panel that stays a Spark DataFrame.

    The local function runs on the executors over whole series (filling the drivers, summing days
    into months are steps within one series), so the rows equal the local frame's. ``top`` keeps the
    best sellers by each series' total (one row per series collected).
    """
    from pyspark.sql import functions as F

    check_series_request(level, freq, measure)
    if panel.limit(1).count() == 0:
        series_from_sales_panel(panel.limit(0).toPandas(), level=level, freq=freq, measure=measure, as_of=as_of)

    def series(frame):
        return series_from_sales_panel(frame, level=level, freq=freq, measure=measure, keep_outliers=keep_outliers)

    out = by_series(panel, series, series_schema(PANEL_DRIVERS))
    if top is not None:
        if top < 1:
            raise ShopmineInputError(f"{{top}} {top}: give a whole number of series, at least 1.", "top")
        totals = collect(out.groupBy("unique_id").agg(F.sum("y").alias("y")), "each series' total")
        keep = totals.sort_values(["y", "unique_id"], ascending=[False, True]).head(top)["unique_id"]
        chosen = out.sparkSession.createDataFrame(keep.astype(str).to_frame())
        out = out.join(F.broadcast(chosen), "unique_id", "left_semi")
    return out
