"""Build the SQL that turns a raw text table into typed canonical rows, each with a reason when
it cannot be used.

The reasons, checked in this order (the first that applies is recorded):
``missing_product_id``, ``missing_date``, ``unparseable_date``, ``missing_quantity``,
``missing_price``, ``unparseable_number`` (quantity, price or an optional number column such as
unit_cost), ``zero_quantity``, ``invalid_line_type``, ``non_positive_price`` (a product line whose
unit price is zero or negative), ``duplicate_line`` (only with ``--drop-duplicates``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopmine.io.dates import DateLayout, parse_sql
from shopmine.io.line_types import line_type_sql
from shopmine.io.numbers import id_sql, number_sql
from shopmine.io.presets import Preset
from shopmine.io.readers import LINE_COLUMN
from shopmine.io.sqltext import clean, ident, literal
from shopmine.schema import LINE_TYPES, ORDER_COLUMN_NAMES

ID_COLUMNS = ("order_id", "customer_id", "product_id")
NUMBER_COLUMNS = ("quantity", "unit_price", "line_total", "unit_cost", "line_cost", "list_price", "discount")
OPTIONAL_NUMBERS = ("unit_cost", "line_cost", "list_price", "discount")
TEXT_COLUMNS = ("status", "category", "name", "country", "channel", "currency", "payment_method")


def snake(name: str) -> str:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    return s or "column"


def extra_columns(columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Source columns not mapped to anything, kept under a snake_case name."""
    used = set(mapping.values())
    taken = set(ORDER_COLUMN_NAMES) | {"line_type", "batch_id", "source_file", "source_line",
                                       "line_total", "line_cost"}
    out: dict[str, str] = {}
    for col in columns:
        if col in used:
            continue
        name = snake(col)
        if name in taken or name in out.values():
            name = f"extra_{name}"
            while name in taken or name in out.values():
                name += "_"
        out[col] = name
    return out


@dataclass(frozen=True)
class StagingPlan:
    sql: str
    extras: dict[str, str]  # source column -> stored name


def staging_sql(raw_table: str, columns: list[str], mapping: dict[str, str], layout: DateLayout, *,
                timezone: str, preset: Preset | None, batch_id: str, source_file: str,
                drop_duplicates: bool) -> StagingPlan:
    """SQL creating the typed table (canonical columns, extras, ``__line``, ``__dup``, reason, detail)."""
    e = {canonical: ident(source) for canonical, source in mapping.items()}
    if preset is not None:
        base = dict(e)  # every derivation reads the export's own columns, not another derivation
        for canonical, derive in preset.derive.items():
            e[canonical] = f"({derive(base)})"
        if preset.order_level and "order_id" in e:
            key = clean(e["order_id"])
            for canonical in preset.order_level:
                if canonical in e:
                    # Some exports write order-level fields only on an order's first line.
                    e[canonical] = f"coalesce({clean(e[canonical])}, max({clean(e[canonical])}) OVER (PARTITION BY {key}))"

    p: list[str] = []
    for col in ID_COLUMNS:
        p.append(f"{id_sql(e[col]) if col in e else 'NULL::VARCHAR'} AS {col}")
    p.append(f"{clean(e['ordered_at'])} AS ordered_at_text")
    p.append(f"{parse_sql(e['ordered_at'], layout, timezone)} AS ordered_at")
    for col in NUMBER_COLUMNS:
        if col in e:
            p.append(f"{clean(e[col])} AS {col}_text")
            p.append(f"{number_sql(e[col])} AS {col}")
        else:
            p.append(f"NULL::VARCHAR AS {col}_text")
            p.append(f"NULL::DOUBLE AS {col}")
    for col in TEXT_COLUMNS:
        value = clean(e[col]) if col in e else "NULL::VARCHAR"
        if col == "status":
            value = f"lower({value})"
        elif col == "currency":
            value = f"upper({value})"
        p.append(f"{value} AS {col}")
    if "line_type" in e:
        p.append(f"lower({clean(e['line_type'])}) AS line_type")
    else:
        generic = line_type_sql(id_sql(e["product_id"]), clean(e["name"]) if "name" in e else None)
        preset_lt = preset.line_type(e) if preset is not None and preset.line_type is not None else None
        p.append(f"coalesce({preset_lt}, {generic}) AS line_type" if preset_lt else f"{generic} AS line_type")
    extras = extra_columns(columns, mapping)
    for source, name in extras.items():
        p.append(f"{clean(ident(source))} AS {ident(name)}")
    p.append(LINE_COLUMN)
    all_raw = ", ".join(ident(c) for c in columns)
    p.append(f"row_number() OVER (PARTITION BY {all_raw} ORDER BY {LINE_COLUMN}) > 1 AS __dup")

    price, price_text = ("line_total", "line_total_text") if "line_total" in e else ("unit_price", "unit_price_text")
    reason_cases = [
        ("product_id IS NULL", "'missing_product_id'", "'product id is empty'"),
        ("ordered_at_text IS NULL", "'missing_date'", "'order date is empty'"),
        ("ordered_at IS NULL", "'unparseable_date'", f"'order date ' || {_quote('ordered_at_text')}"),
        ("quantity_text IS NULL", "'missing_quantity'", "'quantity is empty'"),
        ("quantity IS NULL", "'unparseable_number'", f"'quantity ' || {_quote('quantity_text')}"),
        (f"{price_text} IS NULL", "'missing_price'", f"'{price} is empty'"),
        (f"{price} IS NULL", "'unparseable_number'", f"'{price} ' || {_quote(price_text)}"),
    ]
    for col in OPTIONAL_NUMBERS:
        if col in e:
            reason_cases.append((f"{col}_text IS NOT NULL AND {col} IS NULL", "'unparseable_number'",
                                 f"'{col} ' || {_quote(col + '_text')}"))
    types = ", ".join(literal(t) for t in LINE_TYPES)
    reason_cases += [
        ("quantity = 0", "'zero_quantity'", "'quantity is 0'"),
        (f"line_type NOT IN ({types})", "'invalid_line_type'",
         f"'line_type ' || {_quote('line_type')} || ' (use {'/'.join(LINE_TYPES)})'"),
        (f"line_type = 'product' AND {price} <= 0", "'non_positive_price'",
         f"'{price} ' || {price}::VARCHAR || ' on a product line'"),
    ]
    if drop_duplicates:
        reason_cases.append(("__dup", "'duplicate_line'", "'exact copy of an earlier line'"))
    reason = "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r, _ in reason_cases) + " END"
    detail = "CASE " + " ".join(f"WHEN {c} THEN {d}" for c, _, d in reason_cases) + " END"

    # Prices are magnitudes: a return's sign lives in its quantity, whatever sign the export
    # gave its line revenue. Non-product lines (discounts, adjustments) keep their sign.
    if "line_total" in e:
        unit_price = ("CASE WHEN line_type = 'product' THEN abs(line_total / quantity) "
                      "ELSE line_total / abs(quantity) END")
    else:
        unit_price = "unit_price"
    unit_cost = "abs(line_cost / quantity)" if "line_cost" in e and "unit_cost" not in e else "unit_cost"
    day_order = ("CASE WHEN customer_id IS NOT NULL THEN customer_id || '@' || strftime(ordered_at, '%Y-%m-%d') "
                 f"ELSE 'guest:' || {literal(batch_id)} || ':' || {literal(source_file)} || ':' "
                 f"|| {LINE_COLUMN}::VARCHAR END")
    order_id = "order_id" if "order_id" in e else day_order
    extra_sel = "".join(f", {ident(n)}" for n in extras.values())
    sql = f"""
        WITH p AS (SELECT {', '.join(p)} FROM {ident(raw_table)}),
        s AS (SELECT *, {reason} AS __reason, {detail} AS __detail FROM p)
        SELECT {order_id} AS order_id, customer_id, product_id, ordered_at, quantity,
               {unit_price} AS unit_price, status, {unit_cost} AS unit_cost, list_price, discount,
               category, name, country, channel, currency, payment_method, line_type,
               {literal(batch_id)} AS batch_id, {literal(source_file)} AS source_file,
               {LINE_COLUMN} AS source_line{extra_sel}, {LINE_COLUMN}, __dup, __reason, __detail
        FROM s
    """
    return StagingPlan(sql, extras)


def _quote(col: str) -> str:
    return f"'''' || coalesce({col}, '') || ''''"
