"""Per-series pandas code on the cluster, and the bounded collections the Spark forecast makes.

Every step of a forecast run that reads a series' history (filling drivers, the short-series rule,
the fallback forecast, the MASE/RMSSE scales, the recursive predictions of the global models) looks
at one series at a time. On Spark such a step runs the very same pandas function on the executors
through ``groupBy().applyInPandas``: rows are bucketed by a hash of ``unique_id``, so each call gets
whole series (many of them: a call per series would pay pandas' fixed cost a hundred thousand times),
and the answers equal the local ones exactly. Only what grows with the series (one row each) or with
series x horizon comes back to the driver.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from shopmine.errors import ShopmineInputError

__all__ = ["BUCKETS_PER_CORE", "by_series", "collect", "frame_schema", "series_schema"]

#: Buckets per core of the cluster: a few per core so that a slow bucket (long series, a hard ETS
#: search) does not hold the stage while the other cores wait.
BUCKETS_PER_CORE = 4


def _buckets(sdf) -> int:
    return max(1, sdf.sparkSession.sparkContext.defaultParallelism * BUCKETS_PER_CORE)


def by_series(sdf, func: Callable[[pd.DataFrame], pd.DataFrame], schema: str):
    """``func`` applied on the executors to whole series of ``sdf``; a Spark DataFrame of its outputs.

    Parameters
    ----------
    sdf : pyspark.sql.DataFrame
        With a ``unique_id`` column.
    func : callable
        ``pandas.DataFrame -> pandas.DataFrame``, given every row of some series (in no order) and
        answering for each series from its own rows only. It is shipped to the executors with the
        rest of the plan (Spark's cloudpickle of the function); fitted models travel inside it as
        LightGBM text or plain numbers, never as pickled files.
    schema : str
        Spark DDL of ``func``'s output, e.g. ``"unique_id string, ds timestamp, naive double"``.
    """
    from pyspark.sql import functions as F

    bucket = F.pmod(F.xxhash64("unique_id"), F.lit(_buckets(sdf)))
    return sdf.groupBy(bucket.alias("_bucket")).applyInPandas(func, schema)


def collect(sdf, what: str) -> pd.DataFrame:
    """``sdf`` on the driver, or an error naming the setting to raise.

    Only frames bounded by the series count (x horizon) or by a model's training-row bound are
    collected; a driver too small even for those answers with ``spark_driver_memory`` instead of
    an out-of-memory traceback from the JVM.
    """
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    try:
        return sdf.toPandas()
    except (Py4JJavaError, PySparkException) as exc:
        text = str(exc)
        if "maxResultSize" in text or "OutOfMemoryError" in text or "Java heap space" in text:
            raise ShopmineInputError(
                f"the Spark driver has too little memory for {what}; raise {{spark_driver_memory}} (and "
                "spark.driver.maxResultSize in the cluster's Spark configuration).", "spark_driver_memory") from exc
        raise


def series_schema(drivers: list[str] | tuple[str, ...] = ()) -> str:
    """DDL of a series frame: ``unique_id, ds, y`` and the drivers."""
    return ", ".join(["unique_id string", "ds timestamp", "y double", *[f"`{d}` double" for d in drivers]])


def frame_schema(columns: list[str]) -> str:
    """DDL of a forecast frame: ``unique_id, ds`` and double columns."""
    return ", ".join(["unique_id string", "ds timestamp", *[f"`{c}` double" for c in columns]])
