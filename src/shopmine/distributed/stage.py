"""A table computed once where its engine runs, read for a fit and scored batch by batch.

:func:`stage` computes an Ibis table (a per-customer summary, an order's features) and keeps it where the
engine is: a pandas frame for DuckDB; Parquet written by the Spark executors into a scratch folder for
Spark. :meth:`Staged.to_pandas` reads it for a fit on the driver (with pyarrow, so a Spark table never
passes through the driver JVM's heap, which ``spark_driver_memory`` bounds); :meth:`Staged.map` applies a
scoring function to every batch where the rows are (``mapInPandas`` on Spark) and returns the scores.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import ibis
import numpy as np
import pandas as pd

from shopmine.distributed.memory import spark_memory_errors

__all__ = ["LocalStaged", "SparkStaged", "Staged", "is_spark", "stage", "stage_frame"]

Score = Callable[[pd.DataFrame], pd.DataFrame]


class Staged(Protocol):
    #: "local" (this process) or "spark" (the cluster).
    where: str
    rows: int

    def to_pandas(self, columns: list[str] | None = None) -> pd.DataFrame: ...

    def map(self, score: Score, schema: str) -> pd.DataFrame: ...


def is_spark(table: ibis.Table) -> bool:
    """Whether ``table`` runs on Spark (the ``pyspark`` Ibis backend)."""
    try:
        return table._find_backend().name == "pyspark"
    except Exception:  # an in-memory table has no backend of its own
        return False


class LocalStaged:
    """The table as a pandas frame in this process; scoring is one call on all of it."""

    where = "local"

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.rows = len(frame)

    def to_pandas(self, columns: list[str] | None = None) -> pd.DataFrame:
        return self.frame if columns is None else self.frame[columns]

    def map(self, score: Score, schema: str) -> pd.DataFrame:
        return score(self.frame)


def _apply(score: Score) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for frame in frames:
            yield score(frame)
    return batches


class SparkStaged:
    """The table as Parquet that the Spark executors wrote into ``path``; scoring is ``mapInPandas``.

    ``score`` reaches the executors through PySpark's own function shipping; it must be a module-level
    function with plain parameters bound (``functools.partial(f, params=...)``), so the model travels as
    its parameters, and shopmine must be importable by the workers' Python (``PYSPARK_PYTHON``).
    """

    where = "spark"

    def __init__(self, session, path: Path, rows: int):
        self.session = session
        self.path = path
        self.rows = rows

    def to_pandas(self, columns: list[str] | None = None) -> pd.DataFrame:
        import pyarrow.parquet as pq

        return pq.read_table(self.path, columns=columns).to_pandas()

    def map(self, score: Score, schema: str) -> pd.DataFrame:
        import pyarrow.parquet as pq

        _workers_run_this_python(self.session)
        out = self.path.with_name(f"{self.path.name}-scored-{uuid.uuid4().hex[:8]}")
        with spark_memory_errors():
            frame = self.session.read.parquet(str(self.path))
            frame.mapInPandas(_apply(score), schema).write.parquet(str(out))
        return pq.read_table(out).to_pandas()


def _workers_run_this_python(session) -> None:
    """Make the Python workers run the project's interpreter when nothing chose one: pyspark's default is
    ``python3`` on the PATH, which has no shopmine (nor pandas) on a machine where the project lives in a
    venv. A session whose interpreter was chosen (``PYSPARK_PYTHON``, the engine's settings) is left alone."""
    context = session.sparkContext
    if context.pythonExec == "python3" and "PYSPARK_PYTHON" not in os.environ:
        context.pythonExec = sys.executable


@contextlib.contextmanager
def _scratch(scratch_dir: str | Path | None) -> Iterator[Path]:
    root = Path(scratch_dir) if scratch_dir is not None else Path(tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="shopmine-stage-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def stage_frame(frame: pd.DataFrame, session, scratch_dir: str | Path | None = None) -> Iterator[SparkStaged]:
    """A frame the driver holds (e.g. the customers a fitted model knows) staged for Spark scoring: written
    as Parquet with pyarrow, so it reaches the executors without passing through the driver JVM."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _scratch(scratch_dir) as folder:
        path = folder / "table"
        path.mkdir()
        # A file per executor core at least (and per 50,000 rows): Spark reads a small file as one task, and
        # one task would score every row on one executor.
        parts = max(1, min(len(frame), max(session.sparkContext.defaultParallelism, -(-len(frame) // 50_000))))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        bounds = np.linspace(0, len(frame), parts + 1).astype(int)
        for i, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
            pq.write_table(table.slice(start, end - start), path / f"part-{i:05d}.parquet")
        yield SparkStaged(session, path, len(frame))


@contextlib.contextmanager
def stage(table: ibis.Table, scratch_dir: str | Path | None = None) -> Iterator[Staged]:
    """Compute ``table`` once where its engine runs (see the module's notes); the scratch files go after.

    Parameters
    ----------
    table : ibis.Table
    scratch_dir : path, optional
        Spark only: a folder every executor and the driver can reach (on a multi-machine cluster, a
        shared file system, as the workspace's Parquet folder must be). Default: a temporary folder,
        which serves local mode and a cluster on this machine.
    """
    if not is_spark(table):
        yield LocalStaged(table.to_pyarrow().to_pandas())
        return
    backend = table._find_backend()
    with _scratch(scratch_dir) as folder:
        path = folder / "table"
        with spark_memory_errors():
            # Tables made from pandas (ibis.memtable, e.g. the customers file) exist in Spark only once
            # registered; Ibis's own execute does this, a compiled query run by hand must too.
            backend._register_in_memory_tables(table)
            backend._session.sql(backend.compile(table)).write.parquet(str(path))
        import pyarrow.parquet as pq

        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in sorted(path.glob("*.parquet")))
        yield SparkStaged(backend._session, path, rows)
