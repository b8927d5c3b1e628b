"""Load order files (and optional product and customer files) into the warehouse, all or nothing."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from shopmine.errors import ShopmineInputError
from shopmine.faults import fault_point
from shopmine.ingest.attributes import load_customers_file, load_products_file
from shopmine.ingest.options import IngestOptions
from shopmine.ingest.staging import staging_sql
from shopmine.io.dates import check_format, check_timezone, detect_layout
from shopmine.io.mapping import resolve_mapping
from shopmine.io.numbers import id_sql
from shopmine.io.presets import get_preset
from shopmine.io.readers import LINE_COLUMN, RawFile, read_raw
from shopmine.io.sniff import sniff
from shopmine.io.sqltext import clean, ident, literal
from shopmine.privacy import detect_pii_columns, pseudonymize_columns
from shopmine.schema import LINEAGE_COLUMNS, ORDER_COLUMN_NAMES

Progress = Callable[[str], None]


@dataclass
class FileReport:
    path: str
    kind: str  # orders | products | customers
    status: str  # loaded | skipped (content already loaded)
    sha256: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_rows: int = 0
    date_layout: str | None = None
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    pseudonymized_columns: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    batch_id: str
    files: list[FileReport]

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.files if f.kind == "orders")

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.kind == "orders")

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files if f.kind == "orders")


def expand_paths(patterns: Sequence[str | Path]) -> list[Path]:
    """Expand globs (for shells that pass them through); every pattern must match something."""
    out: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        if any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text))
            if not matches:
                raise ShopmineInputError(f"no file matches {text!r}; check the path.")
            out += [Path(m) for m in matches]
        else:
            out.append(Path(text))
    return out


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def new_batch_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def ingest(workspace, files: Sequence[str | Path], *, options: IngestOptions | None = None,
           products: Sequence[str | Path] = (), customers: Sequence[str | Path] = (),
           progress: Progress | None = None) -> IngestReport:
    """Append order files to the workspace's ``orders`` table, quarantining unusable rows.

    Every input row ends up either in ``orders`` or in ``quarantine`` (with its reason), and a
    file whose content was loaded before is skipped. The whole run is one transaction: when any
    file fails, nothing of the run is kept.

    Parameters
    ----------
    workspace : Workspace
    files : sequence of path or glob
        Order files: CSV (plain or .gz), Parquet or Excel.
    options : IngestOptions, optional
    products, customers : sequence of path or glob
        Optional attribute files (canonical column names, or ``--map`` names).
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
    warehouse = workspace.warehouse()
    con = warehouse.con
    check_timezone(con, options.timezone)
    key = workspace.pseudonym_key() if options.pseudonymize else None
    loaded = warehouse.loaded_hashes()
    batch_id = new_batch_id()
    reports: list[FileReport] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for kind, paths in (("orders", order_paths), ("products", product_paths),
                            ("customers", customer_paths)):
            for path in paths:
                sha = sha256_file(path)
                if sha in loaded:
                    say(f"{path.name}: already loaded (batch {loaded[sha]}), skipped")
                    reports.append(FileReport(str(path), kind, "skipped", sha))
                    continue
                say(f"reading {path.name}")
                if kind == "orders":
                    report = _load_orders_file(con, warehouse, path, sha, batch_id, options, preset, key, say)
                elif kind == "products":
                    report = load_products_file(con, path, sha, batch_id, options)
                else:
                    report = load_customers_file(con, warehouse, path, sha, batch_id, options, key)
                _record_batch(con, report, batch_id, options)
                loaded[sha] = batch_id
                reports.append(report)
        say("updating products and customers")
        warehouse.rebuild_dimensions()
        fault_point("before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for table in ("__raw", "__staged", "__raw_rejects", "__raw_scans", "__reject_thresholds"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return IngestReport(batch_id, reports)


def _load_orders_file(con: duckdb.DuckDBPyConnection, warehouse, path: Path, sha: str, batch_id: str,
                      options: IngestOptions, preset, key: bytes | None, say: Progress) -> FileReport:
    fmt = sniff(path, options.delimiter, options.encoding)
    raw = read_raw(con, path, fmt, "__raw")
    mapping = resolve_mapping(raw.columns, where=str(path), user_map=options.mapping, preset=preset)
    report = FileReport(str(path), "orders", "loaded", sha)
    if key is not None:
        report.pseudonymized_columns = _pseudonymize(con, raw, mapping, options, key)
    date_col = mapping["ordered_at"]
    if options.date_format:
        layout = check_format(options.date_format)
    else:
        layout = detect_layout(con, raw.table, date_col, where=f"{path}, column {date_col!r}")
    report.date_layout = layout.describe()
    say(f"checking {path.name} ({raw.rows:,} rows, dates {layout.describe()})")
    plan = staging_sql(raw.table, raw.columns, mapping, layout, timezone=options.timezone, preset=preset,
                       batch_id=batch_id, source_file=str(path), drop_duplicates=options.drop_duplicates)
    con.execute(f"CREATE OR REPLACE TEMP TABLE __staged AS {plan.sql}")
    warehouse.add_columns("orders", list(plan.extras.values()))
    stored = list(ORDER_COLUMN_NAMES) + [c.name for c in LINEAGE_COLUMNS] + list(plan.extras.values())
    say(f"loading {path.name}")
    con.execute(f"INSERT INTO orders BY NAME SELECT {', '.join(ident(c) for c in stored)} "
                f"FROM __staged WHERE __reason IS NULL")
    fault_point("after_orders_insert")
    con.execute(
        f"INSERT INTO quarantine SELECT {literal(batch_id)}, {literal(str(path))}, s.{LINE_COLUMN}, "
        f"s.__reason, s.__detail, to_json(r) FROM __staged s JOIN {ident(raw.table)} r "
        f"USING ({LINE_COLUMN}) WHERE s.__reason IS NOT NULL"
    )
    _quarantine_rejects(con, raw, batch_id, path)
    counts = con.execute(
        "SELECT count(*) FILTER (WHERE __reason IS NULL), count(*) FILTER (WHERE __dup) FROM __staged"
    ).fetchone()
    by_reason = dict(con.execute(
        "SELECT __reason, count(*) FROM __staged WHERE __reason IS NOT NULL GROUP BY 1").fetchall())
    for reject in raw.rejects:
        by_reason[reject["reason"]] = by_reason.get(reject["reason"], 0) + 1
    report.rows_in = raw.rows + len(raw.rejects)
    report.rows_loaded = counts[0]
    report.rows_quarantined = sum(by_reason.values())
    report.duplicate_rows = counts[1]
    report.quarantined_by_reason = dict(sorted(by_reason.items()))
    return report


def _quarantine_rejects(con: duckdb.DuckDBPyConnection, raw: RawFile, batch_id: str, path: Path) -> None:
    if raw.rejects:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
            [(batch_id, str(path), r["line"], r["reason"], r["detail"], r["raw"]) for r in raw.rejects],
        )


def _pseudonymize(con: duckdb.DuckDBPyConnection, raw: RawFile, mapping: dict[str, str],
                  options: IngestOptions, key: bytes) -> list[str]:
    for col in options.pii:
        if col not in raw.columns:
            raise ShopmineInputError(
                f"{raw.path}: --pii names column {col!r}, which the file does not have "
                f"(columns: {', '.join(raw.columns)})."
            )
    targets: dict[str, str] = {}
    customer_col = mapping.get("customer_id")
    if customer_col is not None:
        targets[customer_col] = id_sql(ident(customer_col))
    mapped_other = {src for canonical, src in mapping.items() if canonical != "customer_id"}
    for col in list(options.pii) + detect_pii_columns(con, raw.table, raw.columns, mapped_other):
        targets.setdefault(col, clean(ident(col)))
    pseudonymize_columns(con, raw.table, targets, key)
    return list(targets)


def _record_batch(con: duckdb.DuckDBPyConnection, report: FileReport, batch_id: str,
                  options: IngestOptions) -> None:
    con.execute(
        "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, report.kind, report.path, report.sha256, Path(report.path).suffix.lstrip("."),
         report.date_layout, report.rows_in, report.rows_loaded, report.rows_quarantined,
         report.duplicate_rows, options.pseudonymize, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
