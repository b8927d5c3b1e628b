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

_SPARK_SESSION: Any = None


def spark_session(master: str = "local[2]", driver_memory: str = "4g") -> Any:
    """One Spark session per process (Spark allows only one active context)."""
    global _SPARK_SESSION
    if _SPARK_SESSION is None:
        from pyspark.sql import SparkSession

        # The forecast's Python UDFs (applyInPandas) need this interpreter's packages; PySpark's context
        # reads the workers' Python from PYSPARK_PYTHON only (default "python3", without them). A
        # cluster whose workers have the project elsewhere sets PYSPARK_PYTHON itself.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        _SPARK_SESSION = (
            SparkSession.builder.master(master)
            .appName("shopmine")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")  # no stage bars on stderr
            .config("spark.driver.memory", driver_memory)
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _SPARK_SESSION.sparkContext.setLogLevel("ERROR")
    return _SPARK_SESSION


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
    def spark(cls, parquet_dir: str | Path, master: str = "local[2]", driver_memory: str = "4g",
              sources: dict[str, list[Path]] | None = None) -> Engine:
        session = spark_session(master, driver_memory)
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
