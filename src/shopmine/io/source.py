"""An order file as a DuckDB relation of text columns, scanned in place (never copied whole).

A 10-million-line export is read twice at most: a narrow pre-scan (date layout, personal-data
values) and the one pass that parses, checks and stores it. Rows keep the file's order in the
table that pass creates (DuckDB preserves insertion order), so a row's position gives its line.
Lines the CSV reader cannot split (wrong number of fields, bytes invalid for the encoding) are
collected as rejects with their line number.
"""

from __future__ import annotations

import csv
import gzip
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.io.sniff import FileFormat, check_gzip
from shopmine.io.sqltext import ident, literal, path_literal

MAX_LINE_BYTES = 1 << 25  # a retry for a first line beyond DuckDB's default (2 MB)


@dataclass
class Source:
    path: Path
    fmt: FileFormat
    columns: list[str]
    scan_sql: str  # the main pass: records rejects
    prescan_sql: str  # narrow pre-scans: skip malformed lines silently (the main pass records them)
    header_lines: int  # lines before the first record (1 for CSV and Excel headers)
    rejects_table: str | None = None
    keep: object = None  # what the scans need alive (a temporary LF copy of the file)

    def rejects(self, con: duckdb.DuckDBPyConnection) -> list[dict]:
        """Lines the main pass could not split, each with reason and detail (call after that pass)."""
        if self.rejects_table is None:
            return []
        rows = con.execute(
            f"SELECT line, error_type, error_message, csv_line FROM {ident(self.rejects_table)} ORDER BY line"
        ).fetchall()
        out, seen = [], set()
        for line, error_type, message, csv_line in rows:
            if line in seen:  # one record can raise several errors; quarantine it once
                continue
            seen.add(line)
            if error_type == "INVALID ENCODING":
                reason = "invalid_encoding"
                detail = (f"bytes that are not {self.fmt.encoding}; set the file's encoding (e.g. latin-1) "
                          "if it uses another")
            else:
                reason, detail = "malformed_line", f"{error_type.lower()}: {message}"
            out.append({"line": int(line), "reason": reason, "detail": detail, "raw": csv_line})
        return out


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def open_source(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, name: str = "__src") -> Source:
    """Describe ``path`` as a relation of text columns (nothing is loaded yet)."""
    try:
        if fmt.kind == "csv":
            return _csv(con, path, fmt, name)
        if fmt.kind == "parquet":
            return _parquet(con, path, fmt)
        return _excel(con, path, fmt, name)
    except duckdb.IOException as exc:
        raise ShopmineInputError(f"{path}: cannot be read ({_first_line(exc)}).") from None
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        raise ShopmineInputError(f"{path}: cannot be read as {fmt.kind.upper()} ({_first_line(exc)}); "
                                 "check {delimiter} and {encoding}.", "delimiter", mentions=('encoding',)) from None


def _csv(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, name: str) -> Source:
    if fmt.compression == "gzip":
        check_gzip(path)
    read, compression, keep = path, fmt.compression, None
    if fmt.mixed_newlines:
        # DuckDB's reader wants one kind of line end per file (its sniffer refuses the file, and
        # without strict mode it would drop a line's surplus fields silently): read an LF copy.
        keep = tempfile.TemporaryDirectory(prefix="shopmine-lf-")
        read, compression = _lf_copy(path, fmt.compression, Path(keep.name) / "lf.csv"), None
    common = [f"encoding={literal(fmt.encoding)}"]
    if compression:
        common.append(f"compression={literal(compression)}")
    sniffed = ["all_varchar=true", "header=true", "normalize_names=false", *common]
    if fmt.delimiter is not None:
        sniffed.append(f"delim={literal(fmt.delimiter)}")
    if fmt.quoted:  # the sniffer may otherwise settle for "no quote" and split quoted fields
        sniffed.append("quote='\"'")
    try:
        source = _csv_source(con, path, read, fmt, name, sniffed)
    except duckdb.InvalidInputException as exc:
        if "Maximum line size" in str(exc):  # a long field in the first lines misleads the sniffer
            source = _csv_source(con, path, read, fmt, name, [*sniffed, f"max_line_size={MAX_LINE_BYTES}"])
        elif fmt.quoted and fmt.delimiter is not None and "Error when sniffing" in str(exc):
            # One unbalanced quote makes every dialect look wrong to the sniffer. The standard
            # dialect, given whole, reads the file and rejects only the broken record.
            columns = _header(read, fmt, compression)
            struct = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in columns) + "}"
            explicit = ["auto_detect=false", "header=true", f"delim={literal(fmt.delimiter)}", "quote='\"'",
                        "escape='\"'", f"columns={struct}", f"max_line_size={MAX_LINE_BYTES}", *common]
            source = _csv_source(con, path, read, fmt, name, explicit)
        else:
            raise
    source.keep = keep
    return source


def _csv_source(con: duckdb.DuckDBPyConnection, path: Path, read: Path, fmt: FileFormat, name: str,
                opts: list[str]) -> Source:
    base = f"read_csv({path_literal(read)}, {', '.join(opts)}"
    rejects = f"{name}_rejects"
    scan = (f"{base}, store_rejects=true, rejects_table={literal(rejects)}, "
            f"rejects_scan={literal(name + '_scans')})")
    prescan = f"{base}, ignore_errors=true)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {prescan}").fetchall()]
    return Source(path, fmt, columns, scan, prescan, 1, rejects)


_PY_ENCODINGS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}


def _open_text(path: Path, fmt: FileFormat, compression: str | None):
    opener = gzip.open if compression == "gzip" else open
    return opener(path, "rt", encoding=_PY_ENCODINGS.get(fmt.encoding, fmt.encoding), errors="replace", newline="")


def _header(path: Path, fmt: FileFormat, compression: str | None) -> list[str]:
    """The column names of the first record, named as DuckDB's sniffer would name blanks and repeats."""
    with _open_text(path, fmt, compression) as fh:
        names = next(csv.reader(fh, delimiter=fmt.delimiter or ",", quotechar='"'), [])
    out: list[str] = []
    for i, name in enumerate(names):
        name = name or f"column{i}"
        while name in out:
            name += "_1"
        out.append(name)
    return out


def _lf_copy(path: Path, compression: str | None, target: Path) -> Path:
    """Write ``path`` with every CRLF line end turned into LF (bytes otherwise unchanged)."""
    opener = gzip.open if compression == "gzip" else open
    with opener(path, "rb") as src, open(target, "wb") as out:
        carry = b""
        for block in iter(lambda: src.read(1 << 22), b""):
            block = carry + block
            carry = b"\r" if block.endswith(b"\r") else b""  # its LF may open the next block
            out.write(block[: len(block) - len(carry)].replace(b"\r\n", b"\n"))
        out.write(carry)
    return target


def _parquet(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat) -> Source:
    reader = f"read_parquet({path_literal(path)})"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    sql = f"(SELECT {', '.join(f'CAST({ident(c)} AS VARCHAR) AS {ident(c)}' for c in cols)} FROM {reader})"
    return Source(path, fmt, cols, sql, sql, 0)


def _excel(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, name: str) -> Source:
    try:
        frame = pd.read_excel(path, dtype=str, sheet_name=0)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ShopmineInputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None
    frame.columns = [str(c) for c in frame.columns]
    con.register(f"{name}_excel", frame)
    sql = ident(f"{name}_excel")
    return Source(path, fmt, list(frame.columns), sql, sql, 1)


def line_sql(ordinal: bool, header_lines: int, reject_lines: list[int], first_rowid: int) -> str:
    """SQL for a staged row's line in its file: its position, past the header and rejected lines."""
    k = "__ord" if ordinal else f"(rowid - {first_rowid} + 1)"
    if not reject_lines:
        return f"({k} + {header_lines})"
    # Rejected line R_j (the j-th) has R_j - j - header accepted rows before it; row k lies past it
    # when k exceeds that number.
    thresholds = sorted(r - j - header_lines for j, r in enumerate(sorted(reject_lines), start=1))
    if len(thresholds) <= 64:
        past = " + ".join(f"({k} > {t})::BIGINT" for t in thresholds)
    else:
        values = ", ".join(f"({t})" for t in thresholds)
        past = f"(SELECT count(*) FROM (VALUES {values}) AS th(t) WHERE {k} > th.t)"
    return f"({k} + {header_lines} + {past})"
