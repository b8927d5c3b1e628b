"""Load order files (and optional product and customer files) into the warehouse, all or nothing."""

from __future__ import annotations

import datetime as dt
import glob
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopmine import line_keys
from shopmine.errors import ShopmineInputError
from shopmine.faults import fault_point
from shopmine.ingest.attributes import load_customers_file, load_products_file
from shopmine.ingest.options import IngestOptions
from shopmine.ingest.pii import check_same_pseudonymization, pseudonymize_staged
from shopmine.ingest.reports import FileReport, IngestReport
from shopmine.ingest.staging import derived_order_id_sql, staging_sql
from shopmine.io.dates import DateLayout, check_format, check_timezone, detect_layout
from shopmine.io.mapping import resolve_mapping
from shopmine.io.presets import get_preset
from shopmine.io.source import Source, line_sql, open_source
from shopmine.io.sniff import sniff
from shopmine.io.sqltext import ident, literal
from shopmine.order_parts import sha256_file
from shopmine.schema import CANONICAL_TYPES, LINE_TYPES, ORDER_COLUMNS

Progress = Callable[[str], None]
SAMPLE_ROWS = 50_000  # rows that propose a date layout before the whole file is read


def expand_paths(patterns: Sequence[str | Path]) -> list[Path]:
    """Expand globs (for shells that pass them through); every pattern must match something."""
    out: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        # An existing file is taken as it is named, even when its name holds glob characters ([1]).
        if any(ch in text for ch in "*?[") and not Path(text).exists():
            matches = sorted(glob.glob(text))
            if not matches:
                raise ShopmineInputError(f"no file matches {text!r}; check the path.")
            out += [Path(m) for m in matches]
        else:
            out.append(Path(text))
    return out


def new_batch_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def ingest(workspace, files: Sequence[str | Path], *, options: IngestOptions | None = None,
           products: Sequence[str | Path] = (), customers: Sequence[str | Path] = (),
           progress: Progress | None = None) -> IngestReport:
    """Append order files to the workspace's ``orders`` table, quarantining unusable rows.

    Every input row ends up either in ``orders`` or in ``quarantine`` (with its reason). A file
    whose content was loaded before is skipped, and lines loaded before (by an earlier batch or an
    earlier file of this run, see :mod:`shopmine.line_keys`) are quarantined as
    ``duplicate_of_loaded_line``, unless ``options.allow_reload``. The whole run is one
    transaction: when any file fails, nothing of the run is kept.

    Parameters
    ----------
    workspace : Workspace
    files : sequence of path or glob
        Order files: CSV (plain or .gz), Parquet or Excel.
    options : IngestOptions, optional
    products, customers : sequence of path or glob
        Optional attribute files (canonical column names, or mapped names).
    progress : callable, optional
        Called with a short description at each step (the CLI drives a progress bar with it).

    Returns
    -------
    IngestReport
    """
    options = options or IngestOptions()
    say = progress or (lambda _msg: None)
    order_paths = expand_paths(files)
    product_paths, customer_paths = expand_paths(products), expand_paths(customers)
    if not order_paths and not product_paths and not customer_paths:
        raise ShopmineInputError("give at least one order file to ingest.")
    for path in order_paths + product_paths + customer_paths:
        sniff(path)  # fail fast, before anything is written, on missing or empty files
    preset = get_preset(options.preset)
    # The writer's lock, held for the whole run (other commands wait, then say "busy"), and let go
    # at the end when this call took it: a notebook that ingested must not keep others out.
    warehouse = workspace.warehouse(task=_task(order_paths + product_paths + customer_paths))
    opened_here = not warehouse.is_open
    try:
        return _load(workspace, warehouse, order_paths, product_paths, customer_paths, options, preset, say)
    finally:
        if opened_here:
            warehouse.close()


def _task(paths: list[Path]) -> str:
    names = [p.name for p in paths]
    more = f" and {len(names) - 2} more files" if len(names) > 2 else ""
    return f"ingest of {', '.join(names[:2])}{more}"


def _load(workspace, warehouse, order_paths: list[Path], product_paths: list[Path], customer_paths: list[Path],
          options: IngestOptions, preset, say: Progress) -> IngestReport:
    con = warehouse.con
    check_timezone(con, options.timezone)
    if order_paths or customer_paths:
        check_same_pseudonymization(con, options.pseudonymize)
    key = workspace.pseudonym_key() if options.pseudonymize else None
    loaded = {} if options.allow_reload else warehouse.loaded_hashes()
    batch_id = new_batch_id()
    reports: list[FileReport] = []
    staged: list[StagedOrders] = []
    try:
        # Phase 1, outside the warehouse's transaction: parse and check each order file into a
        # temporary table of this connection (DuckDB reads committed temporary tables much faster
        # than ones local to an open transaction), then write its loaded lines as a part file that
        # no committed batch lists yet.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shopmine-sha256") as hashing:
            for path in order_paths:
                fingerprint = _Fingerprint(con, hashing.submit(sha256_file, path), loaded)
                table = f"__staged_{len(staged)}"
                say(f"reading {path.name}")
                try:
                    reloaded = None if options.allow_reload else _reload_check(con, staged, batch_id)
                    item = _stage_orders_file(con, path, table, options, preset, key, say, reloaded)
                except Exception:
                    # An already loaded file is skipped whatever its staging met (the interrupt,
                    # or a mapping that no longer fits it), as when it was hashed before reading.
                    if fingerprint.result() not in loaded:
                        raise
                    item = None
                sha = fingerprint.result()
                if sha in loaded:
                    con.execute(f"DROP TABLE IF EXISTS {ident(table)}")
                    say(f"{path.name}: already loaded (batch {loaded[sha]}), skipped")
                    reports.append(_skipped(con, path, "orders", sha, loaded[sha]))
                    continue
                item.report.sha256 = sha
                staged.append(item)
                reports.append(item.report)
                loaded[sha] = batch_id
                if item.report.rows_loaded:
                    say(f"storing {path.name}")
                    item.part = warehouse.parts.write(con, _part_sql(item, batch_id), f"{batch_id}-{len(staged)}")
        fault_point("after_part_written")
        # Phase 2, one transaction: the batch is stored whole or not at all.
        con.execute("BEGIN TRANSACTION")
        try:
            for item in staged:
                say(f"loading {item.report.path}")
                _store_orders(con, warehouse, item, batch_id)
                _record_batch(con, item.report, batch_id, options)
            for kind, paths in (("products", product_paths), ("customers", customer_paths)):
                for path in paths:
                    sha = sha256_file(path)
                    if sha in loaded:
                        reports.append(_skipped(con, path, kind, sha, loaded[sha]))
                        continue
                    if kind == "products":
                        report = load_products_file(con, warehouse, path, sha, batch_id, options)
                    else:
                        report = load_customers_file(con, warehouse, path, sha, batch_id, options, key)
                    _record_batch(con, report, batch_id, options)
                    loaded[sha] = batch_id
                    reports.append(report)
            warehouse.parts.replace_view(con)
            say("updating products and customers")
            warehouse.rebuild_dimensions()
            fault_point("before_commit")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except BaseException as exc:
        # Nothing lists these parts; a killed run leaves them to the orphan sweep at the next open.
        for item in staged:
            if item.part is not None:
                item.part.unlink(missing_ok=True)
        if isinstance(exc, KeyboardInterrupt) or _interrupted(exc):
            # Ctrl-C (which DuckDB turns into its own error during a query): the transaction is
            # rolled back and the parts removed, and the message says so.
            raise KeyboardInterrupt("interrupted, nothing loaded") from None
        raise
    finally:
        for table in [s.table for s in staged] + ["__raw", "__raw_rejects", "__raw_scans", "__reject_thresholds",
                                                  "__src_rejects", "__src_scans", "__reloaded"]:
            con.execute(f"DROP TABLE IF EXISTS {ident(table)}")
    return IngestReport(batch_id, reports)


def _skipped(con, path: Path, kind: str, sha: str, batch: str) -> FileReport:
    """The report of a file whose content batch ``batch`` loaded: which batch and when, so that the
    user can take that batch out to load the file again (another mapping, a fixed date format)."""
    # No row yet when the batch is this one (the same content twice in one ingest): loaded_at None.
    when = con.execute("SELECT min(ingested_at) FROM batches WHERE batch_id = ?", [batch]).fetchone()[0]
    return FileReport(str(path), kind, "skipped", sha, loaded_batch=batch, loaded_at=when)


def _interrupted(exc: BaseException) -> bool:
    # DuckDB 1.5's Python client raises a bare RuntimeError for an interrupted query.
    return isinstance(exc, duckdb.InterruptException) or (
        type(exc) is RuntimeError and str(exc).startswith("Query interrupted"))


class _Fingerprint:
    """The sha256 of an order file, computed on another thread while the file is being staged.

    Hashing a 10-million-line export takes a second during which DuckDB, waiting for the verdict
    "already loaded?", would sit idle. Instead the file is staged meanwhile; if the hash shows it
    was loaded before, the staging still running is interrupted (or, when over, dropped), so a
    skipped file still costs about its hash.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, future: Future, loaded: dict[str, str]):
        self._con, self._future, self._loaded = con, future, loaded
        self._lock = threading.Lock()
        self._staging = True
        future.add_done_callback(self._done)

    def _done(self, future: Future) -> None:
        if future.exception() is None and future.result() in self._loaded:
            with self._lock:
                # Only while this file's staging runs: the next statements must never see it
                # (an interrupt with no statement running is ignored by DuckDB).
                if self._staging:
                    self._con.interrupt()

    def result(self) -> str:
        """The hash (waiting for it); from now on the staging is never interrupted."""
        with self._lock:
            self._staging = False
        return self._future.result()


@dataclass
class StagedOrders:
    report: FileReport
    table: str
    extras: dict[str, str]
    line: str  # SQL for a row's line in its file
    rejects: list[dict]
    derive_order_id: bool = False  # the export has no order id: built at write time from the stored ids
    part: Path | None = None  # the loaded lines, once written


def _reload_check(con: duckdb.DuckDBPyConnection, staged: list[StagedOrders], batch_id: str):
    """The check quarantining a staged file's lines that were loaded before, or None when nothing
    was (a first ingest pays nothing for it)."""
    earlier = [s.table for s in staged if s.report.rows_loaded]
    if not earlier and not line_keys.has_keys(con):
        return None
    return lambda table: line_keys.quarantine_loaded(con, table, earlier, batch_id)


def _stage_orders_file(con: duckdb.DuckDBPyConnection, path: Path, table: str, options: IngestOptions,
                       preset, key: bytes | None, say: Progress,
                       reloaded: Callable[[str], int] | None = None) -> StagedOrders:
    fmt = sniff(path, options.delimiter, options.encoding)
    source = open_source(con, path, fmt)
    mapping = resolve_mapping(source.columns, where=str(path), user_map=options.mapping, preset=preset)
    report = FileReport(str(path), "orders", "loaded", sha256="")  # the hash is set once known
    date_col = mapping["ordered_at"]
    where = f"{path}, column {date_col!r}"
    if options.date_format:
        layout = check_format(options.date_format)
    elif con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {source.prescan_sql} LIMIT 1)").fetchone()[0] == 0:
        # A header-only file (or one of malformed lines only) has no dates to decide a layout: any
        # layout stages its zero rows, and the main pass still quarantines the malformed lines.
        say(f"{path.name}: no rows to load (header only)")
        layout = DateLayout("iso")
    else:
        # The first rows decide quickly for layouts without day/month ambiguity; the whole column
        # decides the slash layouts, and any layout that fails on more than 1% of the rows.
        try:
            layout = detect_layout(con, f"(SELECT * FROM {source.prescan_sql} LIMIT {SAMPLE_ROWS})",
                                   date_col, where)
        except ShopmineInputError:  # the sample cannot decide; the whole column may
            layout = None
        if layout is None or layout.kind in ("dmy", "mdy"):
            layout = detect_layout(con, source.prescan_sql, date_col, where)
    plan = _stage(con, table, source, mapping, layout, options, preset, say)
    if not options.date_format and layout.kind not in ("dmy", "mdy"):
        rows, bad_dates = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE __reason = 'unparseable_date') FROM {ident(table)}").fetchone()
        if bad_dates > 0.01 * rows:
            full = detect_layout(con, source.prescan_sql, date_col, where)
            if full != layout:
                layout = full
                plan = _stage(con, table, source, mapping, layout, options, preset, say)
    report.date_layout = layout.describe()
    _refuse_wrong_date_format(con, table, where, layout)
    rejects = source.rejects(con)
    if key is not None:
        report.pseudonymized_columns = pseudonymize_staged(con, table, source, mapping, plan.extras, options, key,
                                                     rejects)
    if reloaded is not None:  # after pseudonymisation: keys are over the stored values
        reloaded(table)
    # Rows sit in file order in the staged table, so a row's position gives its line.
    first_rowid = con.execute(f"SELECT coalesce(min(rowid), 0) FROM {ident(table)}").fetchone()[0]
    line = line_sql(plan.ordinal, source.header_lines, [r["line"] for r in rejects], first_rowid)
    rows, loaded, distinct_rows = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE __reason IS NULL), count(DISTINCT __h) FROM {ident(table)}"
    ).fetchone()
    by_reason = dict(con.execute(
        f"SELECT __reason, count(*) FROM {ident(table)} WHERE __reason IS NOT NULL GROUP BY 1").fetchall())
    for reject in rejects:
        by_reason[reject["reason"]] = by_reason.get(reject["reason"], 0) + 1
    report.rows_in = rows + len(rejects)
    report.rows_loaded = loaded
    report.rows_quarantined = sum(by_reason.values())
    # Exact copies of an earlier line (the hash of all columns; 64-bit, so a false match among even
    # 10^8 lines has a chance below 10^-3).
    report.duplicate_rows = rows - distinct_rows
    report.quarantined_by_reason = dict(sorted(by_reason.items()))
    return StagedOrders(report, table, plan.extras, line, rejects, plan.derive_order_id)


def _refuse_wrong_date_format(con: duckdb.DuckDBPyConnection, table: str, where: str, layout) -> None:
    """Refuse a file where most dates fail: a wrong format, not bad rows, and a file quarantined
    whole would be skipped as already loaded when ingested again with the right format."""
    rows, bad, example = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE __reason = 'unparseable_date'), "
        f"min(__detail) FILTER (WHERE __reason = 'unparseable_date') FROM {ident(table)}").fetchone()
    if bad * 2 > rows:
        value = example.removeprefix("order date ")
        raise ShopmineInputError(
            f"{where}: {bad:,} of {rows:,} dates do not parse with {layout.describe()} (e.g. {value}); "
            "nothing was loaded: give the date format the file uses and ingest it again.")


def _stage(con: duckdb.DuckDBPyConnection, table: str, source: Source, mapping: dict[str, str], layout,
           options: IngestOptions, preset, say: Progress):
    say(f"checking {source.path.name} (dates {layout.describe()})")
    if source.rejects_table is not None:  # a second pass must not add to the first one's rejects
        con.execute(f"DROP TABLE IF EXISTS {ident(source.rejects_table)}")
        con.execute(f"DROP TABLE IF EXISTS {ident(source.rejects_table.replace('_rejects', '_scans'))}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    window = (dt.datetime.combine(options.earliest_order_date, dt.time()),
              now + dt.timedelta(days=options.future_order_days))
    plan = staging_sql(source.scan_sql, source.columns, mapping, layout, timezone=options.timezone,
                       preset=preset, drop_duplicates=options.drop_duplicates, date_window=window)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS {plan.sql}")
    return plan


def _part_sql(item: StagedOrders, batch_id: str) -> str:
    """The loaded lines of a staged file with their lineage, in the stored types."""
    path = item.report.path
    guest_order = f"'guest:' || {literal(batch_id)} || ':' || {literal(path)} || ':' || ({item.line})::VARCHAR"
    columns = {c.name: ident(c.name) for c in ORDER_COLUMNS}
    order_id = derived_order_id_sql("customer_id", "ordered_at") if item.derive_order_id else "order_id"
    columns["order_id"] = f"coalesce({order_id}, {guest_order})"
    columns.update({"line_type": "line_type", "batch_id": literal(batch_id), "source_file": literal(path),
                    "source_line": item.line})
    types = CANONICAL_TYPES | {name: "VARCHAR" for name in item.extras.values()}
    # The Parquet writer hashes every value of a text column for its dictionary: for the two
    # constants and the line type that was over a tenth of the part's write. Columns whose values are
    # known in advance are cast to ENUMs, which it writes straight as a dictionary, stored as the
    # same UTF8 column. A loaded line's type is one of LINE_TYPES (any other value is quarantined).
    for name, values in (("batch_id", [batch_id]), ("source_file", [path]), ("line_type", LINE_TYPES)):
        types[name] = f"ENUM({', '.join(literal(v) for v in values)})"
    columns.update({name: ident(name) for name in item.extras.values()})
    select = ", ".join(f"CAST({v} AS {types[k]}) AS {ident(k)}" for k, v in columns.items())
    return f"SELECT {select} FROM {ident(item.table)} WHERE __reason IS NULL"


def _store_orders(con: duckdb.DuckDBPyConnection, warehouse, item: StagedOrders, batch_id: str) -> None:
    path = item.report.path
    if item.part is not None:
        warehouse.parts.register(con, item.part, batch_id, item.report.rows_loaded)
        line_keys.store(con, item.table, batch_id)
    con.execute(
        f"INSERT INTO quarantine SELECT {literal(batch_id)}, {literal(path)}, {item.line}, __reason, __detail, "
        f"__raw FROM {ident(item.table)} WHERE __reason IS NOT NULL"
    )
    if item.rejects:
        con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
                        [(batch_id, path, r["line"], r["reason"], r["detail"], r["raw"]) for r in item.rejects])


def _record_batch(con: duckdb.DuckDBPyConnection, report: FileReport, batch_id: str,
                  options: IngestOptions) -> None:
    con.execute(
        "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, report.kind, report.path, report.sha256, Path(report.path).suffix.lstrip("."),
         report.date_layout, report.rows_in, report.rows_loaded, report.rows_quarantined,
         report.duplicate_rows, options.pseudonymize, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
