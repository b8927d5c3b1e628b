"""Where per-customer (and per-order) work runs: in this process, or on the Spark cluster.

A model is fitted once, on the driver, from a table that grows with customers (a per-customer summary);
scoring every customer then runs where the rows are. :func:`stage` picks the place from the Ibis table's
backend (:func:`is_spark`):

- DuckDB (and in-memory tables): the table comes to pandas once and is scored in this process;
- Spark: the cluster writes the table as Parquet into a scratch folder (executors write, nothing passes
  through the driver JVM), the fit reads that folder with pyarrow, and scoring is a ``mapInPandas`` over
  it whose output the cluster writes as Parquet again. The model travels to the executors as plain
  parameters (JSON-able dicts, LightGBM model text), never as a pickled model.
"""

from shopmine.distributed.memory import spark_memory_errors
from shopmine.distributed.stage import LocalStaged, SparkStaged, Staged, stage, is_spark, stage_frame

__all__ = ["LocalStaged", "SparkStaged", "Staged", "spark_memory_errors", "is_spark", "stage", "stage_frame"]
