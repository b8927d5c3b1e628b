"""The ``orders`` table as Parquet part files: one per loaded order file, written once.

A part is written under a temporary name and renamed into ``<workspace>/warehouse.parts/``; it
becomes part of ``orders`` only when the transaction that lists it in ``order_parts`` and replaces
the ``orders`` view (DuckDB DDL is transactional) commits. A part no committed row lists (the run
died between the rename and the commit, or failed) is an orphan and is deleted when the warehouse
is next opened. Parts are never rewritten, so a 10-million-line file costs one Parquet write
instead of an insert into a DuckDB table (measured 5.6 s against 9.4 s).

Each listed part carries its byte size, row count and sha256. Every open checks the size and the
row count in the Parquet footer (no data is read), which catches a truncated part or two parts
swapped; :meth:`OrderParts.verify` hashes every part in full, which also catches a flipped bit.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from shopmine.errors import ShopmineRunError
from shopmine.io.sqltext import literal
from shopmine.schema import LINEAGE_COLUMNS, ORDER_COLUMNS

SCHEMA = ("CREATE TABLE IF NOT EXISTS order_parts (file VARCHAR, batch_id VARCHAR, rows BIGINT, bytes BIGINT, "
          "sha256 VARCHAR)")
PREFIX = "orders-"
# Canonical and lineage columns, with their stored types, for a workspace without any part yet.
_EMPTY = ("SELECT " + ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in ORDER_COLUMNS + LINEAGE_COLUMNS)
          + " WHERE false")


class OrderParts:
    """The part files of one warehouse.

    Parameters
    ----------
    folder : path
        Where the parts live (created on first write).
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def committed(self, con: duckdb.DuckDBPyConnection) -> list[Path]:
        """The parts listed by committed batches (and by this transaction, inside one), oldest first."""
        return [self.folder / name for (name,) in con.execute("SELECT file FROM order_parts ORDER BY rowid").fetchall()]

    def rows(self, con: duckdb.DuckDBPyConnection) -> int:
        return con.execute("SELECT coalesce(sum(rows), 0) FROM order_parts").fetchone()[0]

    def remove_orphans(self, con: duckdb.DuckDBPyConnection) -> list[Path]:
        """Delete part files (and temporary files) that no committed row lists."""
        if not self.folder.is_dir():
            return []
        keep = {p.name for p in self.committed(con)}
        removed = []
        for path in self.folder.iterdir():
            ours = path.name.startswith(PREFIX) or path.name.startswith("." + PREFIX)
            if ours and path.name not in keep:
                path.unlink()
                removed.append(path)
        return removed

    def write(self, con: duckdb.DuckDBPyConnection, select_sql: str, name: str) -> Path:
        """Write ``select_sql`` as the part ``<name>.parquet``; it is not part of ``orders`` until
        :meth:`register` commits."""
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"{PREFIX}{name}.parquet"
        tmp = self.folder / f".{final.name}.tmp"
        # A line's place in its file is its source_line column, not its position in the part, so
        # the part's row groups may be written in whatever order the threads finish them. Keeping
        # the input's order made DuckDB hold finished row groups back until their turn: a third
        # more time for a 10-million-line file, whose staged rows then no longer fitted in memory.
        keep_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
        con.execute("SET preserve_insertion_order = false")
        try:
            con.execute(f"COPY ({select_sql}) TO {literal(str(tmp))} (FORMAT parquet)")
            os.replace(tmp, final)
        finally:
            con.execute(f"SET preserve_insertion_order = {'true' if keep_order else 'false'}")
            if tmp.exists():
                tmp.unlink()
        return final

    def register(self, con: duckdb.DuckDBPyConnection, path: Path, batch_id: str, rows: int) -> None:
        """List a written part with its size and checksum (call inside the batch's transaction, then
        :meth:`replace_view`)."""
        path = Path(path)
        con.execute("INSERT INTO order_parts VALUES (?, ?, ?, ?, ?)",
                    [path.name, batch_id, rows, path.stat().st_size, sha256_file(path)])

    def migrate(self, con: duckdb.DuckDBPyConnection, record: bool = True) -> None:
        """A warehouse from before checksums gets the size and sha256 of its parts, recorded on the
        first open (``record``) after their row counts were checked (a part already damaged then
        cannot be told)."""
        columns = {r[0] for r in con.execute("DESCRIBE order_parts").fetchall()}
        for name, sql_type in (("bytes", "BIGINT"), ("sha256", "VARCHAR")):
            if name not in columns:
                con.execute(f"ALTER TABLE order_parts ADD COLUMN {name} {sql_type}")
        if not record:
            return
        unrecorded = con.execute(
            "SELECT file, batch_id, rows FROM order_parts WHERE sha256 IS NULL ORDER BY rowid").fetchall()
        if not unrecorded:
            return
        updates = []
        for name, batch_id, rows in unrecorded:
            path = self.folder / name
            self._check_exists(path, batch_id)
            self._check_rows(con, path, batch_id, rows)
            updates.append((path.stat().st_size, sha256_file(path), name))
        con.executemany("UPDATE order_parts SET bytes = ?, sha256 = ? WHERE file = ?", updates)

    def check(self, con: duckdb.DuckDBPyConnection) -> None:
        """The cheap check of every listed part: it exists, has its recorded size, and its Parquet
        footer has its recorded row count. Raises ``ShopmineRunError`` naming the part and batch."""
        listed = con.execute("SELECT file, batch_id, rows, bytes FROM order_parts ORDER BY rowid").fetchall()
        for name, batch_id, _, size in listed:
            path = self.folder / name
            self._check_exists(path, batch_id)
            actual = path.stat().st_size
            if size is not None and actual != size:
                raise ShopmineRunError(_damaged(path, batch_id, f"has {actual:,} bytes instead of {size:,}"))
        if listed:
            # One query reads every footer (the end of each file only).
            files = ", ".join(literal(str(self.folder / name)) for name, *_ in listed)
            counts = dict(con.execute(
                f"SELECT file_name, num_rows FROM parquet_file_metadata([{files}])").fetchall())
            for name, batch_id, rows, _ in listed:
                found = counts.get(str(self.folder / name))
                if found != rows:
                    raise ShopmineRunError(_damaged(self.folder / name, batch_id,
                                                    f"holds {found:,} rows instead of {rows:,}"))

    def verify(self, con: duckdb.DuckDBPyConnection) -> int:
        """Hash every listed part in full and compare with its recorded sha256; returns the number of
        parts verified. Raises ``ShopmineRunError`` naming the first part that differs."""
        self.check(con)
        listed = con.execute("SELECT file, batch_id, sha256 FROM order_parts ORDER BY rowid").fetchall()
        for name, batch_id, sha in listed:
            if sha256_file(self.folder / name) != sha:
                raise ShopmineRunError(_damaged(self.folder / name, batch_id,
                                                "has the recorded size and row count but not its sha256"))
        return len(listed)

    def _check_exists(self, path: Path, batch_id: str) -> None:
        if not path.exists():
            raise ShopmineRunError(_damaged(path, batch_id, "is missing"))

    def _check_rows(self, con: duckdb.DuckDBPyConnection, path: Path, batch_id: str, rows: int) -> None:
        try:
            found = con.execute("SELECT num_rows FROM parquet_file_metadata(?)", [str(path)]).fetchone()[0]
        except duckdb.Error as exc:
            raise ShopmineRunError(_damaged(path, batch_id, f"cannot be read ({exc})")) from None
        if found != rows:
            raise ShopmineRunError(_damaged(path, batch_id, f"holds {found:,} rows instead of {rows:,}"))

    def view_sql(self, con: duckdb.DuckDBPyConnection) -> str:
        parts = self.committed(con)
        if not parts:
            return _EMPTY
        self.check(con)
        # union_by_name: files of different exports carry different extra columns.
        files = ", ".join(literal(str(p)) for p in parts)
        return f"SELECT * FROM read_parquet([{files}], union_by_name = true)"

    def replace_view(self, con: duckdb.DuckDBPyConnection) -> None:
        """Point the ``orders`` view at exactly the listed parts (absolute paths, so it is rebuilt
        when the workspace folder has moved)."""
        con.execute(f"CREATE OR REPLACE VIEW orders AS {self.view_sql(con)}")


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes (about 0.25 s for a 200 MB part)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _damaged(path: Path, batch_id: str, what: str) -> str:
    return (f"order part file {path} of batch {batch_id} {what}: it was changed or removed outside shopmine. "
            "Restore the workspace's warehouse.duckdb and warehouse.parts folder together from a backup, or take "
            f"the batch out with `shopmine batches remove {batch_id}` and ingest its files again.")
