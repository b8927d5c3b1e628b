"""Read a small file (products, customers) into a DuckDB temporary table of text columns.

Attribute files are small, so they are copied whole with their line numbers (``__line``); order
logs are scanned in place instead (:mod:`shopmine.io.source`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from shopmine.io.sniff import FileFormat
from shopmine.io.source import line_sql, open_source
from shopmine.io.sqltext import ident

LINE_COLUMN = "__line"


@dataclass
class RawFile:
    path: Path
    table: str  # temporary table: source columns (VARCHAR) + __line
    columns: list[str]
    rows: int
    rejects: list[dict] = field(default_factory=list)  # {"line", "reason", "detail", "raw"}


def read_raw(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, table: str) -> RawFile:
    """Load ``path`` into temporary table ``table``; return its columns, row count and rejects."""
    source = open_source(con, path, fmt, name=table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT * FROM {source.scan_sql}")
    rejects = source.rejects(con)
    first_rowid = con.execute(f"SELECT coalesce(min(rowid), 0) FROM {ident(table)}").fetchone()[0]
    line = line_sql(False, source.header_lines, [r["line"] for r in rejects], first_rowid)
    con.execute(f"ALTER TABLE {ident(table)} ADD COLUMN {LINE_COLUMN} BIGINT")
    con.execute(f"UPDATE {ident(table)} SET {LINE_COLUMN} = {line}")
    rows = con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0]
    return RawFile(path, table, source.columns, rows, rejects)
