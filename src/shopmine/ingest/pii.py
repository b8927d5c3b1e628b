"""Pseudonymisation of a staged order file: ids and personal columns, and the raw rows kept for
the quarantine, so that no clear value reaches the warehouse."""

from __future__ import annotations

import json

import duckdb

from shopmine.errors import ShopmineInputError
from shopmine.ingest.options import IngestOptions
from shopmine.io.numbers import normalize_id
from shopmine.io.source import Source
from shopmine.io.sqltext import ident
from shopmine.privacy import detect_pii_columns, pseudonym, pseudonymize_columns


def pseudonymize_staged(con: duckdb.DuckDBPyConnection, table: str, source: Source, mapping: dict[str, str],
                  extras: dict[str, str], options: IngestOptions, key: bytes, rejects: list[dict]) -> list[str]:
    """Replace customer ids and personal columns in the staged rows (and quarantined raw rows)."""
    for col in options.pii:
        if col not in source.columns:
            raise ShopmineInputError(
                f"{source.path}: --pii names column {col!r}, which the file does not have "
                f"(columns: {', '.join(source.columns)})."
            )
    staged: dict[str, str] = {}  # staged column -> source column
    if "customer_id" in mapping:
        staged["customer_id"] = mapping["customer_id"]
    detected = detect_pii_columns(con, source.prescan_sql, [c for c in source.columns if c in extras], set())
    for col in list(options.pii) + detected:
        if col in extras:
            staged.setdefault(extras[col], col)
    pseudonymize_columns(con, table, {c: ident(c) for c in staged}, key)
    _pseudonymize_quarantined_raw(con, table, list(staged.values()), mapping, key)
    for reject in rejects:
        # A line that could not be split cannot be cleaned field by field: keep only its fingerprint.
        reject["raw"] = f"(withheld: pseudonymised ingest; line fingerprint {pseudonym(reject['raw'] or '', key)})"
    return list(staged.values())


def _pseudonymize_quarantined_raw(con: duckdb.DuckDBPyConnection, table: str, source_columns: list[str],
                                  mapping: dict[str, str], key: bytes) -> None:
    rows = con.execute(f"SELECT rowid, __raw FROM {ident(table)} WHERE __raw IS NOT NULL").fetchall()
    if not rows:
        return
    customer_col = mapping.get("customer_id")
    updates = []
    for rowid, raw in rows:
        record = json.loads(raw)
        for col in source_columns:
            value = record.get(col)
            if value is None or not str(value).strip():
                continue
            text = str(value).strip()
            if col == customer_col:
                text = normalize_id(text)  # the token of the normalised id, as in the orders
            record[col] = pseudonym(text, key)
        updates.append((json.dumps(record, ensure_ascii=False, separators=(",", ":")), rowid))
    con.executemany(f"UPDATE {ident(table)} SET __raw = ? WHERE rowid = ?", updates)
