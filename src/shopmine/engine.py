"""Ibis connections: DuckDB (the workspace's warehouse file, default) and Spark (local or cluster).

Feature tables are Ibis expressions over ``Engine.table(name)``; they run unchanged on both engines.
DuckDB reads the warehouse file; Spark reads the order lines' Parquet part files directly and the
other tables exported as Parquet (``Warehouse.export_parquet``), so both engines see one set of data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import ibis

from shopmine.errors import ShopmineInputError

# The process's one Spark session and the options it was started with (Spark allows one context per
# process and fixes its master, memory and executors' Python when it starts).
_SPARK_SESSION: Any = None
_SPARK_OPTIONS: dict[str, Any] = {}
# The driver JVM outlives a stopped session (pyspark keeps its gateway), and with it its heap.
_DRIVER_MEMORY: str | None = None

#: What an option left as ``None`` starts as, and the setting that names it in errors.
_SPARK_DEFAULTS = {"master": "local[2]", "driver_memory": "4g", "executor_memory": "1g",
                   "executor_cores": None, "python": None}
_SPARK_SETTING = {"master": "spark_master", "driver_memory": "spark_driver_memory",
                  "executor_memory": "spark_executor_memory", "executor_cores": "spark_executor_cores",
                  "python": "spark_python"}


def spark_session(master: str | None = None, driver_memory: str | None = None, *,
                  executor_memory: str | None = None, executor_cores: int | None = None,
                  python: str | None = None) -> Any:
    """The process's Spark session, started on first use with these options.

    Parameters
    ----------
    master : str, optional
        ``local[N]``, ``spark://host:port`` (standalone), ``yarn``, ``k8s://https://host:port``.
        Default: the running session's, else ``local[2]``.
    driver_memory : str, optional
        Heap of this process's JVM (``spark.driver.memory``). Default ``4g``.
    executor_memory : str, optional
        ``spark.executor.memory`` of each executor on a cluster (local mode has none). Default ``1g``.
    executor_cores : int, optional
        ``spark.executor.cores``. Default: the cluster manager's (a standalone worker's every core).
    python : str, optional
        The interpreter of the executors' Python workers. Default: ``$PYSPARK_PYTHON``, else this
        process's interpreter, so that the workers run the project's Python, not a ``python3`` on PATH.

    Raises
    ------
    ShopmineInputError
        When a session runs already with a different value of an option given here (naming the
        setting): Spark cannot change it in a running process, and reusing the session would
        silently run elsewhere than asked. :func:`stop_spark_session` first to switch.
    """
    global _SPARK_SESSION, _SPARK_OPTIONS, _DRIVER_MEMORY
    asked = {"master": master, "driver_memory": driver_memory, "executor_memory": executor_memory,
             "executor_cores": executor_cores, "python": python}
    if executor_cores is not None and (isinstance(executor_cores, bool) or not isinstance(executor_cores, int)
                                       or executor_cores < 1):
        raise ShopmineInputError(f"setting 'spark_executor_cores' must be a whole number >= 1 or unset. "
                                 f"Got {executor_cores!r} instead.")
    if _SPARK_SESSION is not None and _SPARK_SESSION.sparkContext._jsc is None:
        _SPARK_SESSION, _SPARK_OPTIONS = None, {}  # stopped behind our back (session.stop() elsewhere)
    if _SPARK_SESSION is not None:
        for key, value in asked.items():
            if value is not None and value != _SPARK_OPTIONS[key]:
                raise _conflict(key, value, _SPARK_OPTIONS[key])
        return _SPARK_SESSION
    options = {key: _SPARK_DEFAULTS[key] if value is None else value for key, value in asked.items()}
    options["python"] = options["python"] or os.environ.get("PYSPARK_PYTHON") or sys.executable
    if _DRIVER_MEMORY is not None and options["driver_memory"] != _DRIVER_MEMORY:
        raise _conflict("driver_memory", options["driver_memory"], _DRIVER_MEMORY)
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    running = SparkContext._active_spark_context  # started by someone else (a library, a notebook)
    if running is not None and master is not None and running.master != master:
        raise _conflict("master", master, running.master)
    builder = (
        SparkSession.builder.master(options["master"])
        .appName("shopmine")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # no stage bars on stderr
        .config("spark.driver.memory", options["driver_memory"])
        .config("spark.executor.memory", options["executor_memory"])
        .config("spark.pyspark.python", options["python"])
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
    )
    if options["executor_cores"] is not None:
        builder = builder.config("spark.executor.cores", str(options["executor_cores"]))
    session = builder.getOrCreate()
    # pyspark reads $PYSPARK_PYTHON once into pythonExec, which every Python function shipped to the
    # executors carries (spark.pyspark.python alone does not reach it in client mode).
    session.sparkContext.pythonExec = options["python"]
    session.sparkContext.setLogLevel("ERROR")
    options["master"] = session.sparkContext.master
    _SPARK_SESSION, _SPARK_OPTIONS = session, options
    _DRIVER_MEMORY = _DRIVER_MEMORY or options["driver_memory"]
    return session


def stop_spark_session() -> None:
    """Stop the process's Spark session (its executors go); the next :func:`spark_session` starts anew.

    The driver JVM stays (pyspark keeps it), so a new session must ask for the same driver memory.
    """
    global _SPARK_SESSION, _SPARK_OPTIONS
    if _SPARK_SESSION is not None:
        _SPARK_SESSION.stop()
    _SPARK_SESSION, _SPARK_OPTIONS = None, {}


def _conflict(key: str, asked: Any, running: Any) -> ShopmineInputError:
    setting = _SPARK_SETTING[key]
    return ShopmineInputError(
        f"setting '{setting}' is {asked!r}, but this process already runs Spark with {running!r}: Spark "
        f"fixes it when it starts, once per process. Give {setting} = {running!r}, or run the work in a new "
        "process (from Python: shopmine.engine.stop_spark_session() first; driver memory stays as it was).")


class Engine:
    """A query engine over the workspace's canonical tables.

    Parameters
    ----------
    name : {"duckdb", "spark"}
    con : ibis backend
        The Ibis connection.
    parquet_dir : path, optional
        Where Spark reads the tables from (``<parquet_dir>/<table>.parquet``).
    sources : dict, optional
        Table name -> its Parquet files, read by Spark instead of ``<parquet_dir>/<table>.parquet``
        (the order lines' part files).
    """

    def __init__(self, name: str, con: Any, parquet_dir: Path | None = None,
                 sources: dict[str, list[Path]] | None = None):
        self.name = name
        self.con = con
        self.parquet_dir = Path(parquet_dir) if parquet_dir is not None else None
        self.sources = {k: [Path(p) for p in v] for k, v in (sources or {}).items()}
        self._tables: dict[str, Any] = {}

    @classmethod
    def duckdb(cls, path: str | Path | None = None, read_only: bool = False) -> Engine:
        con = ibis.duckdb.connect(str(path) if path else ":memory:", read_only=read_only)
        return cls("duckdb", con)

    @classmethod
    def spark(cls, parquet_dir: str | Path, master: str | None = None, driver_memory: str | None = None,
              sources: dict[str, list[Path]] | None = None, *, executor_memory: str | None = None,
              executor_cores: int | None = None, python: str | None = None) -> Engine:
        """An engine on the process's Spark session (:func:`spark_session`, same options)."""
        session = spark_session(master, driver_memory, executor_memory=executor_memory,
                                executor_cores=executor_cores, python=python)
        return cls("spark", ibis.pyspark.connect(session), Path(parquet_dir), sources)

    def table(self, name: str) -> ibis.Table:
        if name in self._tables:
            return self._tables[name]
        if self.name == "duckdb":
            if name not in self.con.list_tables():
                raise ShopmineInputError(
                    f"the warehouse has no '{name}' table yet; load an order log with `shopmine ingest FILE`."
                )
            table = self.con.table(name)
        elif self.sources.get(name):
            # mergeSchema: part files of different exports carry different extra columns.
            frame = spark_session().read.option("mergeSchema", "true").parquet(*map(str, self.sources[name]))
            frame.createOrReplaceTempView(f"shopmine_{name}")
            table = self.con.table(f"shopmine_{name}")
        else:
            path = self.parquet_dir / f"{name}.parquet" if self.parquet_dir else None
            if path is None or not path.exists():
                raise ShopmineInputError(
                    f"no Parquet export of table '{name}' at {path}; run `shopmine ingest` first."
                )
            table = self.con.read_parquet(str(path), table_name=f"shopmine_{name}")
        self._tables[name] = table
        return table

    def register(self, name: str, table: ibis.Table) -> None:
        """Use ``table`` for ``name`` (tests and in-memory frames)."""
        self._tables[name] = table

    def execute(self, expr: ibis.Expr):
        return self.con.execute(expr)

    def spark_frame(self, expr: ibis.Expr):
        """The Spark DataFrame of an Ibis expression: it stays on the cluster (Spark engine only)."""
        if self.name != "spark":
            raise ShopmineInputError(f"a Spark DataFrame needs the spark engine; this one is {self.name}.", "engine")
        return self.con._session.sql(self.con.compile(expr))
