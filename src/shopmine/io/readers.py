"""Read one file into a DuckDB temporary table of text columns plus its line numbers.

Everything is read as text: parsing numbers, dates and ids is the ingest step's job, so that a
bad value quarantines one row instead of failing the file. Lines the CSV reader cannot split
(wrong number of fields, invalid bytes for the encoding) come back as rejects with their line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.io.sniff import FileFormat, check_gzip

LINE_COLUMN = "__line"


@dataclass
class RawFile:
    path: Path
    table: str  # temporary table: source columns (VARCHAR) + __line
    columns: list[str]
    rows: int
    rejects: list[dict] = field(default_factory=list)  # {"line", "reason", "detail", "raw"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_raw(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, table: str) -> RawFile:
    """Load ``path`` into temporary table ``table``; return its columns, row count and rejects."""
    try:
        if fmt.kind == "csv":
            return _read_csv(con, path, fmt, table)
        if fmt.kind == "parquet":
            return _read_parquet(con, path, table)
        return _read_excel(con, path, table)
    except duckdb.IOException as exc:
        raise ShopmineInputError(f"{path}: cannot be read ({_first_line(exc)}); "
                                 "if it is compressed, check that the download is complete.") from None
    except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
        raise ShopmineInputError(f"{path}: cannot be read as {fmt.kind.upper()} ({_first_line(exc)}); "
                                 "check --delimiter and --encoding.") from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, table: str) -> RawFile:
    if fmt.compression == "gzip":
        check_gzip(path)
    rej, scan = f"{table}_rejects", f"{table}_scans"
    opts = [
        "all_varchar=true", "header=true", "store_rejects=true", f"rejects_table={_sql_str(rej)}",
        f"rejects_scan={_sql_str(scan)}", f"encoding={_sql_str(fmt.encoding)}",
        "normalize_names=false", "null_padding=false", "sample_size=20480",
    ]
    if fmt.delimiter is not None:
        opts.append(f"delim={_sql_str(fmt.delimiter)}")
    if fmt.compression:
        opts.append(f"compression={_sql_str(fmt.compression)}")
    # row_number() over () follows the file order (DuckDB preserves insertion order here).
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT *, row_number() OVER () AS {LINE_COLUMN} "
        f"FROM read_csv({_sql_str(str(path))}, {', '.join(opts)})"
    )
    rejects = _csv_rejects(con, rej, fmt)
    if rejects:
        _shift_lines_past_rejects(con, table, [r["line"] for r in rejects])
    else:
        con.execute(f"UPDATE {_q(table)} SET {LINE_COLUMN} = {LINE_COLUMN} + 1")  # header is line 1
    return _describe(con, path, table, rejects)


def _csv_rejects(con: duckdb.DuckDBPyConnection, rej: str, fmt: FileFormat) -> list[dict]:
    rows = con.execute(
        f"SELECT line, error_type, error_message, csv_line FROM {_q(rej)} ORDER BY line"
    ).fetchall()
    out, seen = [], set()
    for line, error_type, message, csv_line in rows:
        if line in seen:  # one record can raise several errors; quarantine it once
            continue
        seen.add(line)
        if error_type == "INVALID ENCODING":
            reason = "invalid_encoding"
            detail = f"bytes that are not {fmt.encoding}; pass --encoding (e.g. latin-1) if the file uses another"
        else:
            reason = "malformed_line"
            detail = f"{error_type.lower()}: {message}"
        out.append({"line": int(line), "reason": reason, "detail": detail, "raw": csv_line})
    return out


def _shift_lines_past_rejects(con: duckdb.DuckDBPyConnection, table: str, reject_lines: list[int]) -> None:
    # Accepted row k sits on line k + 1 + (number of rejected lines before it). Rejected line R_j
    # (j-th, 1-based) has R_j - j - 1 accepted rows before it, so row k is past reject j when
    # k > R_j - j - 1.
    thresholds = sorted(r - j - 1 for j, r in enumerate(sorted(reject_lines), start=1))
    con.execute("CREATE OR REPLACE TEMP TABLE __reject_thresholds (t BIGINT)")
    con.executemany("INSERT INTO __reject_thresholds VALUES (?)", [(t,) for t in thresholds])
    con.execute(
        f"UPDATE {_q(table)} SET {LINE_COLUMN} = {LINE_COLUMN} + 1 + "
        f"(SELECT count(*) FROM __reject_thresholds r WHERE {_q(table)}.{LINE_COLUMN} > r.t)"
    )


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> RawFile:
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(path))})").fetchall()
    casts = ", ".join(f"CAST({_q(c[0])} AS VARCHAR) AS {_q(c[0])}" for c in cols)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT {casts}, "
        f"row_number() OVER () AS {LINE_COLUMN} FROM read_parquet({_sql_str(str(path))})"
    )
    return _describe(con, path, table, [])


def _read_excel(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> RawFile:
    try:
        frame = pd.read_excel(path, dtype=str, sheet_name=0)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ShopmineInputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None
    frame.columns = [str(c) for c in frame.columns]
    frame[LINE_COLUMN] = range(2, len(frame) + 2)  # row 1 holds the header
    con.register("__excel_frame", frame)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_q(table)} AS SELECT * FROM __excel_frame")
    con.unregister("__excel_frame")
    return _describe(con, path, table, [])


def _describe(con: duckdb.DuckDBPyConnection, path: Path, table: str, rejects: list[dict]) -> RawFile:
    columns = [r[0] for r in con.execute(f"DESCRIBE {_q(table)}").fetchall() if r[0] != LINE_COLUMN]
    rows = con.execute(f"SELECT count(*) FROM {_q(table)}").fetchone()[0]
    return RawFile(path, table, columns, rows, rejects)
