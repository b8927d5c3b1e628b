"""Product and customer attribute files: loaded beside the order log, rows checked the same way."""

from __future__ import annotations

from pathlib import Path

import duckdb

from shopmine.errors import ShopmineInputError
from shopmine.ingest.reports import FileReport
from shopmine.ingest.staging import snake
from shopmine.io.mapping import _find
from shopmine.io.numbers import id_sql, number_sql
from shopmine.io.readers import LINE_COLUMN, read_raw
from shopmine.io.sniff import sniff
from shopmine.io.sqltext import clean, ident, literal
from shopmine.privacy import detect_pii_columns, mask_contacts, pseudonym, pseudonymize_columns
from shopmine.schema import PRODUCT_COLUMNS

# Stored columns of products_file (and products) that a file's attribute may not take.
_PRODUCT_RESERVED = (*PRODUCT_COLUMNS, "batch_id", "source_line", "first_ordered_at", "last_ordered_at", "lines")


def _match(columns: list[str], canonical: str, user_map: dict[str, str]) -> str | None:
    if canonical in user_map:
        found = _find(columns, user_map[canonical])
        if found is not None:
            return found
    return _find(columns, canonical)


def _product_columns(columns: list[str], options, path: Path) -> dict[str, str | None]:
    """Canonical products column -> the file's column: ``products_mapping`` (which must fit the file),
    then the order mapping and the canonical name itself (when the file has them)."""
    unknown = sorted(set(options.products_mapping) - set(PRODUCT_COLUMNS))
    if unknown:
        raise ShopmineInputError(
            f"{path}: products_mapping maps {', '.join(unknown)}, which is not a products column; use one of "
            f"{', '.join(PRODUCT_COLUMNS)} (the file's other columns are kept as attributes without mapping)."
        )
    listing = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
    cols: dict[str, str | None] = {}
    for canonical in PRODUCT_COLUMNS:
        if canonical in options.products_mapping:
            source = options.products_mapping[canonical]
            found = _find(columns, source)
            if found is None:
                raise ShopmineInputError(
                    f"{path}: the products mapping {canonical}={source} ({{products_mapping}} or [products_mapping] "
                    f"in shopmine.toml) names a column the products file does not have (columns: {listing}); "
                    f"give one of these columns, or drop the mapping.", "products_mapping"
                )
            cols[canonical] = found
        else:
            cols[canonical] = _match(columns, canonical, options.mapping)
    return cols


def product_attributes(columns: list[str], used: set[str]) -> dict[str, str]:
    """The products file's other columns -> their stored snake_case names (``attr_`` before a name
    that a canonical or stored column already has), kept as text like an order file's extra columns."""
    out: dict[str, str] = {}
    for col in columns:
        if col in used:
            continue
        name = snake(col)
        if name in _PRODUCT_RESERVED:
            name = f"attr_{name}"
        while name in _PRODUCT_RESERVED or name in out.values():
            name += "_"
        out[col] = name
    return out


def _finish(con: duckdb.DuckDBPyConnection, raw, staged_reason_sql: str, batch_id: str, path: Path) -> None:
    con.execute(
        f"INSERT INTO quarantine SELECT {literal(batch_id)}, {literal(str(path))}, r.{LINE_COLUMN}, "
        f"s.__reason, s.__detail, to_json(r) FROM ({staged_reason_sql}) s "
        f"JOIN {ident(raw.table)} r USING ({LINE_COLUMN})"
    )
    for reject in raw.rejects:
        con.execute("INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
                    [batch_id, str(path), reject["line"], reject["reason"], reject["detail"], reject["raw"]])


def load_products_file(con: duckdb.DuckDBPyConnection, warehouse, path: Path, sha: str, batch_id: str,
                       options):
    raw = read_raw(con, path, sniff(path, options.delimiter, options.encoding), "__raw")
    cols = _product_columns(raw.columns, options, path)
    if cols["product_id"] is None:
        raise ShopmineInputError(
            f"{path}: products file has no product_id column (columns: {', '.join(raw.columns)}); "
            "map it with {products_mapping} product_id=COLUMN (or product_id = \"COLUMN\" under "
            "[products_mapping] in shopmine.toml).", "products_mapping"
        )
    attrs = product_attributes(raw.columns, {c for c in cols.values() if c is not None})
    warehouse.add_columns("products_file", list(attrs.values()))
    sel = {
        "product_id": id_sql(ident(cols["product_id"])),
        "name": clean(ident(cols["name"])) if cols["name"] else "NULL::VARCHAR",
        "category": clean(ident(cols["category"])) if cols["category"] else "NULL::VARCHAR",
        "unit_cost": number_sql(ident(cols["unit_cost"])) if cols["unit_cost"] else "NULL::DOUBLE",
        "list_price": number_sql(ident(cols["list_price"])) if cols["list_price"] else "NULL::DOUBLE",
    }
    bad = [f"WHEN {sel['product_id']} IS NULL THEN 'product id is empty'"]
    for f in ("unit_cost", "list_price"):
        if cols[f]:
            bad.append(f"WHEN {clean(ident(cols[f]))} IS NOT NULL AND {sel[f]} IS NULL "
                       f"THEN '{f} ' || {clean(ident(cols[f]))}")
            bad.append(f"WHEN NOT isfinite({sel[f]}) THEN '{f} ' || {clean(ident(cols[f]))} || ' is not a finite number'")
    detail = "CASE " + " ".join(bad) + " END"
    sel.update({n: clean(ident(c)) for c, n in attrs.items()})
    con.execute(
        f"INSERT INTO products_file BY NAME SELECT {', '.join(f'{v} AS {ident(k)}' for k, v in sel.items())}, "
        f"{literal(batch_id)} AS batch_id, {LINE_COLUMN} AS source_line FROM {ident(raw.table)} "
        f"WHERE ({detail}) IS NULL"
    )
    reasons = (f"SELECT {LINE_COLUMN}, {detail} AS __detail, CASE WHEN {sel['product_id']} IS NULL "
               f"THEN 'missing_product_id' WHEN suffix({detail}, ' is not a finite number') THEN 'non_finite_number' "
               f"ELSE 'unparseable_number' END AS __reason FROM {ident(raw.table)} WHERE ({detail}) IS NOT NULL")
    _finish(con, raw, reasons, batch_id, path)
    quarantined = con.execute(f"SELECT count(*) FROM ({reasons})").fetchone()[0] + len(raw.rejects)
    rows_in = raw.rows + len(raw.rejects)
    return FileReport(str(path), "products", "loaded", sha, rows_in, rows_in - quarantined, quarantined)


def load_customers_file(con: duckdb.DuckDBPyConnection, warehouse, path: Path, sha: str, batch_id: str,
                        options, key: bytes | None):
    raw = read_raw(con, path, sniff(path, options.delimiter, options.encoding), "__raw")
    id_col = _match(raw.columns, "customer_id", options.mapping)
    if id_col is None:
        raise ShopmineInputError(
            f"{path}: customers file has no customer_id column (columns: {', '.join(raw.columns)}); "
            "map it with {mapping} customer_id=COLUMN.", "mapping"
        )
    report = FileReport(str(path), "customers", "loaded", sha)
    if key is not None:
        from shopmine.ingest.pii import REASON_CUSTOMER_ID, REASON_LISTED

        targets = {id_col: id_sql(ident(id_col))}
        report.pseudonymized_columns = {id_col: REASON_CUSTOMER_ID}
        detected = detect_pii_columns(con, ident(raw.table), raw.columns, {id_col})
        for col, why in [(c, REASON_LISTED) for c in options.pii] + list(detected.items()):
            if col in raw.columns and col not in targets:
                targets[col] = clean(ident(col))
                report.pseudonymized_columns[col] = why
        pseudonymize_columns(con, raw.table, targets, key)
        for reject in raw.rejects:  # a line that could not be split cannot be cleaned field by field
            reject["raw"] = f"(withheld: pseudonymised ingest; line fingerprint {pseudonym(reject['raw'] or '', key)})"
            reject["detail"] = mask_contacts(reject["detail"] or "", key)
    attrs = {c: snake(c) for c in raw.columns if c != id_col}
    attrs = {c: (n if n not in ("customer_id", "batch_id", "source_line") else f"attr_{n}")
             for c, n in attrs.items()}
    warehouse.add_columns("customers_file", list(attrs.values()))
    id_expr = id_sql(ident(id_col))
    sel = ", ".join([f"{id_expr} AS customer_id", f"{literal(batch_id)} AS batch_id",
                     f"{LINE_COLUMN} AS source_line"] + [f"{clean(ident(c))} AS {ident(n)}" for c, n in attrs.items()])
    con.execute(f"INSERT INTO customers_file BY NAME SELECT {sel} FROM {ident(raw.table)} WHERE {id_expr} IS NOT NULL")
    reasons = (f"SELECT {LINE_COLUMN}, 'customer id is empty' AS __detail, 'missing_customer_id' AS __reason "
               f"FROM {ident(raw.table)} WHERE {id_expr} IS NULL")
    _finish(con, raw, reasons, batch_id, path)
    quarantined = con.execute(f"SELECT count(*) FROM ({reasons})").fetchone()[0] + len(raw.rejects)
    report.rows_in = raw.rows + len(raw.rejects)
    report.rows_quarantined = quarantined
    report.rows_loaded = report.rows_in - quarantined
    return report
