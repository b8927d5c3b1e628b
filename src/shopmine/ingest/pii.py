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
from shopmine.privacy import detect_pii_columns, mask_contacts, pseudonym, pseudonymize_columns

REASON_CUSTOMER_ID = "customer id"
REASON_LISTED = "listed in pii"


def pseudonymize_staged(con: duckdb.DuckDBPyConnection, table: str, source: Source, mapping: dict[str, str],
                        extras: dict[str, str], options: IngestOptions, key: bytes,
                        rejects: list[dict]) -> dict[str, str]:
    """Replace customer ids and personal columns in the staged rows (and quarantined raw rows).

    Returns the replaced source columns, each with why: ``customer id``, ``listed in pii`` (the
    ``pii`` option), ``name`` or ``content: ...`` (see :func:`shopmine.privacy.detect_pii_columns`).
    """
    for col in options.pii:
        if col not in source.columns:
            raise ShopmineInputError(
                f"{source.path}: {{pii}} names column {col!r}, which the file does not have "
                f"(columns: {', '.join(source.columns)}).", "pii"
            )
    reasons: dict[str, str] = {}  # source column -> why
    staged: dict[str, str] = {}  # staged column -> source column
    if "customer_id" in mapping:
        staged["customer_id"] = mapping["customer_id"]
        reasons[mapping["customer_id"]] = REASON_CUSTOMER_ID
    detected = detect_pii_columns(con, source.prescan_sql, [c for c in source.columns if c in extras], set())
    for col, why in [(c, REASON_LISTED) for c in options.pii] + list(detected.items()):
        if col in extras and extras[col] not in staged:
            staged[extras[col]] = col
            reasons[col] = why
    pseudonymize_columns(con, table, {c: ident(c) for c in staged}, key)
    _pseudonymize_quarantined_raw(con, table, list(staged.values()), mapping, key)
    for reject in rejects:
        # A line that could not be split cannot be cleaned field by field: keep only its fingerprint.
        reject["raw"] = f"(withheld: pseudonymised ingest; line fingerprint {pseudonym(reject['raw'] or '', key)})"
        reject["detail"] = mask_contacts(reject["detail"] or "", key)
    return reasons


def _pseudonymize_quarantined_raw(con: duckdb.DuckDBPyConnection, table: str, source_columns: list[str],
                                  mapping: dict[str, str], key: bytes) -> None:
    """Tokens in the raw rows kept for the quarantine: the replaced columns by value, like the
    loaded rows; any other field (and the reason's detail) has its e-mails and phone numbers masked,
    since a rejected row may have its fields shifted out of their columns."""
    rows = con.execute(f"SELECT rowid, __raw, __detail FROM {ident(table)} WHERE __raw IS NOT NULL").fetchall()
    if not rows:
        return
    customer_col = mapping.get("customer_id")
    updates = []
    for rowid, raw, detail in rows:
        record = json.loads(raw)
        for col, value in record.items():
            if value is None or not str(value).strip():
                continue
            text = str(value).strip()
            if col in source_columns:
                if col == customer_col:
                    text = normalize_id(text)  # the token of the normalised id, as in the orders
                record[col] = pseudonym(text, key)
            else:
                record[col] = mask_contacts(str(value), key)
        updates.append((json.dumps(record, ensure_ascii=False, separators=(",", ":")),
                        None if detail is None else mask_contacts(detail, key), rowid))
    con.executemany(f"UPDATE {ident(table)} SET __raw = ?, __detail = ? WHERE rowid = ?", updates)


def check_same_pseudonymization(con: duckdb.DuckDBPyConnection, pseudonymize: bool) -> None:
    """Refuse a run whose customer ids would not match the workspace's: raw ids beside tokens.

    A workspace is pseudonymised or not from its first order or customer file on (the ``batches``
    table records it per file; product files hold no personal data and do not count). Mixing would
    make one person two customers, and leave clear ids in a workspace promised to hold none.
    """
    first = con.execute(
        "SELECT coalesce(pseudonymized, false) AS p, min(batch_id) FROM batches "
        "WHERE kind IN ('orders', 'customers') GROUP BY 1 ORDER BY 2"
    ).fetchall()
    recorded = {p: batch for p, batch in first}
    if not pseudonymize and True in recorded:
        raise ShopmineInputError(
            f"this workspace holds pseudonymised customer ids (since batch {recorded[True]}), and this "
            "ingest would add clear ones beside them; add {pseudonymize} (pseudonymize=True), or set "
            "`pseudonymize = true` in shopmine.toml to make it the workspace's default. Nothing was loaded.", "pseudonymize"
        )
    if pseudonymize and False in recorded:
        raise ShopmineInputError(
            f"this workspace holds clear customer ids (since batch {recorded[False]}), and a pseudonymised "
            "ingest would add tokens beside them (one person would become two customers); ingest without "
            "{pseudonymize} here, or ingest every file with {pseudonymize} into a new workspace. "
            "Nothing was loaded.", "pseudonymize"
        )
