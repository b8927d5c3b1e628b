"""The warehouse: the workspace's DuckDB file holding the canonical tables.

Tables: ``orders`` (canonical lines + lineage + extra columns; a view over Parquet part files, see
:mod:`shopmine.order_parts`), ``quarantine`` (every row that could not be used, with its reason),
``batches`` (one row per loaded file), ``products_file`` and ``customers_file`` (attribute files as
loaded), the derived ``products`` and ``customers``, and ``line_keys`` with ``key_batches`` (a
64-bit key per loaded line, see :mod:`shopmine.line_keys`). Each ingest (and each batch removal) commits in one DuckDB
transaction, so a failed or killed run leaves the warehouse as it was. Spark reads the order parts
directly and the other tables from a Parquet export.

A warehouse opened ``read_only`` (every command that only reads) holds the workspace lock shared
with other readers and a read-only DuckDB connection, so readers run side by side and wait for a
writer; one opened for writing holds it alone (:mod:`shopmine.workspace_lock`). A reader writes
nothing to the DuckDB file: its ``orders`` view is a temporary one over the listed parts, it leaves
orphan part files to the next writer, and a file from an older shopmine is upgraded once under the
writer's lock before the reader opens it.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import duckdb

from shopmine import line_keys, workspace_lock
from shopmine.atomic import atomic_path
from shopmine.engine import Engine
from shopmine.io.sqltext import ident
from shopmine.order_parts import SCHEMA as PARTS_SCHEMA
from shopmine.order_parts import OrderParts

EXPORTED_TABLES = ("orders", "products", "customers", "quarantine", "batches")

_SCHEMA = [
    PARTS_SCHEMA,
    """CREATE TABLE IF NOT EXISTS quarantine (
        batch_id VARCHAR, source_file VARCHAR, source_line BIGINT, reason VARCHAR, detail VARCHAR,
        raw VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS batches (
        batch_id VARCHAR, kind VARCHAR, source_file VARCHAR, sha256 VARCHAR, format VARCHAR,
        date_layout VARCHAR, rows_in BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
        duplicate_rows BIGINT, pseudonymized BOOLEAN, ingested_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS products_file (
        product_id VARCHAR, name VARCHAR, category VARCHAR, unit_cost DOUBLE, list_price DOUBLE,
        batch_id VARCHAR, source_line BIGINT)""",
    "CREATE TABLE IF NOT EXISTS customers_file (customer_id VARCHAR, batch_id VARCHAR, source_line BIGINT)",
    *line_keys.SCHEMA,
]

_PRODUCT_FILE_COLUMNS = ("product_id", "name", "category", "unit_cost", "list_price", "batch_id", "source_line")


def _products_sql(attrs: list[str]) -> str:
    """``products``: the order lines' latest values, overridden by the products file's, with the file's
    attribute columns (its last row per product)."""
    given_attrs = "".join(f", arg_max({ident(a)}, rn) AS {ident(a)}" for a in attrs)
    attr_select = "".join(f", g.{ident(a)}" for a in attrs)
    return f"""
CREATE OR REPLACE TABLE products AS
WITH derived AS (
    SELECT product_id,
           arg_max(name, ordered_at) FILTER (WHERE name IS NOT NULL) AS name,
           arg_max(category, ordered_at) FILTER (WHERE category IS NOT NULL) AS category,
           arg_max(unit_cost, ordered_at) FILTER (WHERE unit_cost IS NOT NULL) AS unit_cost,
           arg_max(list_price, ordered_at) FILTER (WHERE list_price IS NOT NULL) AS list_price,
           min(ordered_at) AS first_ordered_at, max(ordered_at) AS last_ordered_at,
           count(*) AS lines
    FROM orders WHERE line_type = 'product' GROUP BY product_id
), given AS (
    SELECT product_id,
           arg_max(name, rn) AS name, arg_max(category, rn) AS category,
           arg_max(unit_cost, rn) AS unit_cost, arg_max(list_price, rn) AS list_price{given_attrs}
    FROM (SELECT *, row_number() OVER () AS rn FROM products_file) GROUP BY product_id
)
SELECT coalesce(g.product_id, d.product_id) AS product_id,
       coalesce(g.name, d.name) AS name, coalesce(g.category, d.category) AS category,
       coalesce(g.unit_cost, d.unit_cost) AS unit_cost, coalesce(g.list_price, d.list_price) AS list_price,
       d.first_ordered_at, d.last_ordered_at, coalesce(d.lines, 0) AS lines{attr_select}
FROM derived d FULL OUTER JOIN given g ON g.product_id = d.product_id
ORDER BY product_id
"""


# This process's warehouses open read-only. DuckDB allows one configuration per file within a
# process (never a read-only beside a read-write connection), so a writer of the same workspace in
# this process closes them first; each reopens at its next query, after the writer.
_READERS: weakref.WeakSet[Warehouse] = weakref.WeakSet()


def _close_readers(path: Path) -> None:
    for reader in list(_READERS):
        if reader.path.resolve() == Path(path).resolve():
            reader.close()


def _needs_upgrade(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an older shopmine wrote this file: a table or column is missing, ``orders`` is still a
    table, a part has no checksum yet, or stored lines have no line keys."""
    tables = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                              "WHERE table_schema = 'main'").fetchall())
    needed = {"order_parts", "quarantine", "batches", "products_file", "customers_file", "line_keys", "key_batches"}
    if not needed <= tables.keys() or tables.get("orders") != "VIEW":
        return True
    if not {"bytes", "sha256"} <= {r[0] for r in con.execute("DESCRIBE order_parts").fetchall()}:
        return True
    if con.execute("SELECT count(*) FROM order_parts WHERE sha256 IS NULL").fetchone()[0]:
        return True
    return not line_keys.has_keys(con) and con.execute("SELECT count(*) FROM order_parts").fetchone()[0] > 0


class Warehouse:
    """The DuckDB file of a workspace.

    Parameters
    ----------
    path : path
        The ``warehouse.duckdb`` file (created on first use).
    parquet_dir : path
        Where tables are exported for the Spark engine.
    memory_limit : str, default="3GB"
        DuckDB's memory limit; larger work spills to ``<workspace>/.tmp``.
    read_only : bool, default=False
        Open for reading only (shared with other readers). May be changed while the warehouse is closed.
    task : str, optional
        What this process does with it, named in other processes' busy message ("ingest of orders.csv").
    busy_timeout : float, default=30.0
        Seconds to wait for the workspace lock before :class:`~shopmine.workspace_lock.WorkspaceBusyError`.
    """

    def __init__(self, path: Path, parquet_dir: Path, memory_limit: str = "3GB", *, read_only: bool = False,
                 task: str | None = None, busy_timeout: float = 30.0):
        self.path = Path(path)
        self.parquet_dir = Path(parquet_dir)
        self.memory_limit = memory_limit
        self.read_only = read_only
        self.task = task
        self.busy_timeout = busy_timeout
        self.parts = OrderParts(self.path.parent / "warehouse.parts")
        self._con: duckdb.DuckDBPyConnection | None = None
        self._release = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection; opening checks every part file's size and row count."""
        return self.connect()

    def connect(self, check_parts: bool = True) -> duckdb.DuckDBPyConnection:
        """Open the warehouse (once), after taking the workspace lock. ``check_parts=False`` leaves the
        ``orders`` view as it was, unchecked, for taking out a batch whose part is damaged."""
        if self._con is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.read_only:
                _close_readers(self.path)
            lease = self._lock(exclusive=not self.read_only)
            try:
                if lease.exclusive:  # a process that writes opens its readers read-write too
                    con = self._open_writable(check_parts)
                else:
                    con, lease = self._open_readable(lease)
            except BaseException:
                lease.release()
                raise
            self._con = con
            # The lock goes with the connection, also when the object is dropped without close().
            self._release = weakref.finalize(self, lease.release)
            if not lease.exclusive:
                _READERS.add(self)
        return self._con

    def _lock(self, exclusive: bool) -> workspace_lock.Lease:
        return workspace_lock.acquire(self.path.parent, exclusive=exclusive, task=self.task,
                                      timeout=self.busy_timeout)

    def _configure(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"SET memory_limit = '{self.memory_limit}'")
        con.execute(f"SET temp_directory = '{self.path.parent / '.tmp'}'")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")  # library code never prints

    def _open_writable(self, check_parts: bool) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.path))
        try:
            self._configure(con)
            for stmt in _SCHEMA:
                con.execute(stmt)
            self.parts.migrate(con, record=check_parts)
            self._migrate_orders_table(con)
            self.parts.remove_orphans(con)
            if check_parts:
                # Rebuilt at every open: the view names its files by absolute path, and the folder may move.
                self.parts.replace_view(con)
                line_keys.migrate(con, self.parts.folder)
        except BaseException:
            con.close()
            raise
        return con

    def _open_readable(self, lease: workspace_lock.Lease) -> tuple[duckdb.DuckDBPyConnection, workspace_lock.Lease]:
        """A read-only connection (and the lease it holds): an empty in-memory warehouse when the file
        does not exist yet (a reader creates nothing), the file upgraded first when an older shopmine
        wrote it."""
        if not self.path.exists():
            con = duckdb.connect(":memory:")
            self._configure(con)
            for stmt in _SCHEMA:
                con.execute(stmt)
            self.parts.replace_view(con)
            return con, lease
        con = self._connect_read_only()
        if _needs_upgrade(con):
            con.close()
            lease.release()
            writer = self._lock(exclusive=True)
            try:
                self._open_writable(check_parts=True).close()
            finally:
                writer.release()
            lease = self._lock(exclusive=False)
            try:
                con = self._connect_read_only()
            except BaseException:
                lease.release()
                raise
        try:
            # A temporary view shadows the stored one: it names the parts where the folder is now.
            con.execute(f"CREATE OR REPLACE TEMP VIEW orders AS {self.parts.view_sql(con)}")
        except BaseException:
            con.close()
            lease.release()
            raise
        return con, lease

    def _connect_read_only(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            self._configure(con)
        except BaseException:
            con.close()
            raise
        return con

    def _migrate_orders_table(self, con: duckdb.DuckDBPyConnection) -> None:
        """A warehouse from before part files keeps its lines in an ``orders`` table: they become the
        first part, and the table the view, in one transaction."""
        row = con.execute("SELECT table_type FROM information_schema.tables "
                          "WHERE table_schema = 'main' AND table_name = 'orders'").fetchone()
        if row is None or row[0] == "VIEW":
            return
        rows = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        part = self.parts.write(con, "SELECT * FROM orders", "migrated") if rows else None
        con.execute("BEGIN TRANSACTION")
        try:
            if part is not None:
                self.parts.register(con, part, "migrated", rows)
            con.execute("DROP TABLE orders")
            self.parts.replace_view(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @property
    def is_open(self) -> bool:
        return self._con is not None

    def close(self) -> None:
        """Close the connection and release the workspace lock."""
        if self._con is not None:
            _READERS.discard(self)
            self._con.close()
            self._con = None
            self._release()
            self._release = None

    def has_orders(self) -> bool:
        return self.parts.rows(self.con) > 0

    def loaded_hashes(self) -> dict[str, str]:
        """sha256 -> batch id of every file already loaded."""
        return dict(self.con.execute("SELECT sha256, batch_id FROM batches").fetchall())

    def add_columns(self, table: str, columns: list[str]) -> None:
        existing = {r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()}
        for col in columns:
            if col not in existing:
                self.con.execute(f"ALTER TABLE {table} ADD COLUMN {ident(col)} VARCHAR")

    def rebuild_dimensions(self) -> None:
        """Derive ``products`` and ``customers`` from the order lines and the attribute files."""
        con = self.con
        con.execute(_products_sql([r[0] for r in con.execute("DESCRIBE products_file").fetchall()
                                   if r[0] not in _PRODUCT_FILE_COLUMNS]))
        attrs = [r[0] for r in con.execute("DESCRIBE customers_file").fetchall()
                 if r[0] not in ("customer_id", "batch_id", "source_line")]
        given_cols = "".join(f", arg_max({ident(a)}, rn) AS {ident(a)}" for a in attrs)
        attr_select = "".join(f", g.{ident(a)}" for a in attrs if a not in ("country",))
        country = "coalesce(g.country, d.country)" if "country" in attrs else "d.country"
        con.execute(f"""
            CREATE OR REPLACE TABLE customers AS
            WITH derived AS (
                SELECT customer_id, min(ordered_at) AS first_ordered_at, max(ordered_at) AS last_ordered_at,
                       arg_max(country, ordered_at) FILTER (WHERE country IS NOT NULL) AS country,
                       count(DISTINCT order_id) AS orders
                FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id
            ), given AS (
                SELECT customer_id{given_cols}
                FROM (SELECT *, row_number() OVER () AS rn FROM customers_file) GROUP BY customer_id
            )
            SELECT coalesce(d.customer_id, g.customer_id) AS customer_id, d.first_ordered_at,
                   d.last_ordered_at, coalesce(d.orders, 0) AS orders, {country} AS country{attr_select}
            FROM derived d FULL OUTER JOIN given g ON g.customer_id = d.customer_id
            ORDER BY customer_id
        """)

    # -- engines -------------------------------------------------------------------------------
    def engine(self, name: str = "duckdb", *, spark_master: str | None = None,
               spark_driver_memory: str | None = None, spark_executor_memory: str | None = None,
               spark_executor_cores: int | None = None, spark_python: str | None = None) -> Engine:
        """The query engine ``name`` over these tables; the ``spark_*`` options as in
        :func:`shopmine.engine.spark_session` (``None``: the running session's, else its default)."""
        if name == "duckdb":
            import ibis

            return Engine("duckdb", ibis.duckdb.from_connection(self.con))
        self.export_parquet()
        parts = self.parts.committed(self.con)
        return Engine.spark(self.parquet_dir, spark_master, spark_driver_memory,
                            sources={"orders": parts} if parts else None,
                            executor_memory=spark_executor_memory, executor_cores=spark_executor_cores,
                            python=spark_python)

    def _version(self) -> str:
        rows = self.con.execute("SELECT count(*), max(ingested_at) FROM batches").fetchone()
        return f"{rows[0]}:{rows[1]}"

    def export_parquet(self) -> None:
        """Write the tables as Parquet for Spark, when the warehouse changed since the last export.

        The order lines are exported only while there is no part file (Spark reads the parts).

        Readers run it under the shared lock (no writer can change the tables meanwhile): two readers
        at once write the same version, each file renamed into place whole, so either's files serve."""
        stamp = self.parquet_dir / "VERSION"
        version = self._version()
        if stamp.exists() and stamp.read_text() == version:
            return
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        for table in EXPORTED_TABLES:
            if table == "orders" and self.parts.committed(self.con):
                (self.parquet_dir / "orders.parquet").unlink(missing_ok=True)
                continue
            if not self.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
                [table],
            ).fetchone()[0]:
                continue
            with atomic_path(self.parquet_dir / f"{table}.parquet") as tmp:
                self.con.execute(f"COPY {table} TO '{tmp}' (FORMAT parquet)")
        stamp.write_text(version)
