"""Build the SQL that turns a raw text table into typed canonical rows, each with a reason when
it cannot be used.

The reasons, checked in this order (the first that applies is recorded):
``missing_product_id``, ``missing_date``, ``unparseable_date``, ``date_out_of_range`` (before the
earliest plausible order date or after the latest, see ``date_window``), ``missing_quantity``,
``missing_price``, ``unparseable_number`` (quantity, price or an optional number column such as
unit_cost), ``non_finite_number`` (NaN or an infinity, e.g. ``inf`` or ``1e309``, in any number
column), ``zero_quantity``, ``invalid_line_type``, ``non_positive_price`` (a product line whose
unit price is zero or negative), ``duplicate_line`` (only with the ``drop_duplicates`` setting).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shopmine.io.dates import DateLayout, parse_sql
from shopmine.io.line_types import line_type_sql
from shopmine.io.numbers import id_sql, number_sql
from shopmine.io.presets import Preset
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
    sql: str  # SELECT producing the staged rows, in file order
    extras: dict[str, str]  # source column -> stored name
    ordinal: bool  # True: rows carry __ord (their 1-based position); False: use the table's rowid
    derive_order_id: bool = False  # no order id column: staged order_id is NULL, see derived_order_id_sql


PARSED = "__v_"  # prefix of parsed values, so they never clash with the export's own column names


def staging_sql(source_sql: str, columns: list[str], mapping: dict[str, str], layout: DateLayout, *,
                timezone: str, preset: Preset | None, drop_duplicates: bool,
                date_window: tuple[dt.datetime, dt.datetime] | None = None) -> StagingPlan:
    """One pass over the file: typed canonical values, extras, a row hash, the reason (if any) and,
    for rejected rows only, the raw row as JSON.

    ``date_window`` (first, last) bounds the plausible order times: one row dated 2099 or 1900
    would stretch every zero-filled panel over a century.

    Rows come out in file order. Windows (an export's order-level fields, exact duplicates to
    drop) reorder rows, so then each row carries its position ``__ord`` explicitly.
    """
    e = {canonical: ident(source) for canonical, source in mapping.items()}
    windows = bool(preset is not None and preset.order_level and "order_id" in e) or drop_duplicates
    if preset is not None:
        base = dict(e)  # every derivation reads the export's own columns, not another derivation
        for canonical, derive in preset.derive.items():
            e[canonical] = f"({derive(base)})"
        if preset.order_level and "order_id" in e:
            key = clean(e["order_id"])
            for canonical in preset.order_level:
                if canonical in e:
                    # Some exports write order-level fields only on an order's first line.
                    e[canonical] = (f"coalesce({clean(e[canonical])}, "
                                    f"max({clean(e[canonical])}) OVER (PARTITION BY {key}))")

    v = PARSED
    p: list[str] = ["r.*"]
    for col in ID_COLUMNS:
        p.append(f"{id_sql(e[col]) if col in e else 'NULL::VARCHAR'} AS {v}{col}")
    p.append(f"{clean(e['ordered_at'])} AS {v}ordered_at_text")
    p.append(f"{parse_sql(e['ordered_at'], layout, timezone)} AS {v}ordered_at")
    for col in NUMBER_COLUMNS:
        if col in e:
            p.append(f"{clean(e[col])} AS {v}{col}_text")
            p.append(f"{number_sql(e[col])} AS {v}{col}")
    for col in TEXT_COLUMNS:
        value = clean(e[col]) if col in e else "NULL::VARCHAR"
        if col == "status":
            value = f"lower({value})"
        elif col == "currency":
            value = f"upper({value})"
        p.append(f"{value} AS {v}{col}")
    if "line_type" in e:
        p.append(f"lower({clean(e['line_type'])}) AS {v}line_type")
    else:
        generic = line_type_sql(id_sql(e["product_id"]), clean(e["name"]) if "name" in e else None)
        preset_lt = preset.line_type(e) if preset is not None and preset.line_type is not None else None
        p.append(f"coalesce({preset_lt}, {generic}) AS {v}line_type" if preset_lt else f"{generic} AS {v}line_type")
    extras = extra_columns(columns, mapping)
    for source, name in extras.items():
        p.append(f"{clean(ident(source))} AS {v}x_{name}")
    all_raw = ", ".join(f"r.{ident(c)}" for c in columns)
    p.append(f"hash({all_raw}) AS __h")
    if drop_duplicates:
        p.append(f"row_number() OVER (PARTITION BY {all_raw} ORDER BY r.__ord) > 1 AS __dup")

    price = "line_total" if "line_total" in e else "unit_price"
    reason_cases = [
        (f"{v}product_id IS NULL", "missing_product_id", "'product id is empty'"),
        (f"{v}ordered_at_text IS NULL", "missing_date", "'order date is empty'"),
        (f"{v}ordered_at IS NULL", "unparseable_date", f"'order date ' || {_quote(v + 'ordered_at_text')}"),
    ]
    if date_window is not None:
        first, last = (literal(t.strftime("%Y-%m-%d %H:%M:%S")) for t in date_window)
        reason_cases.append((f"{v}ordered_at NOT BETWEEN {first}::TIMESTAMP AND {last}::TIMESTAMP",
                             "date_out_of_range",
                             f"'order date ' || {v}ordered_at::VARCHAR || ' is outside ' || {first} || ' .. ' "
                             f"|| {last}"))
    reason_cases += [
        (f"{v}quantity_text IS NULL", "missing_quantity", "'quantity is empty'"),
        (f"{v}quantity IS NULL", "unparseable_number", f"'quantity ' || {_quote(v + 'quantity_text')}"),
        (f"{v}{price}_text IS NULL", "missing_price", f"'{price} is empty'"),
        (f"{v}{price} IS NULL", "unparseable_number", f"'{price} ' || {_quote(v + price + '_text')}"),
    ]
    for col in OPTIONAL_NUMBERS:
        if col in e:
            reason_cases.append((f"{v}{col}_text IS NOT NULL AND {v}{col} IS NULL", "unparseable_number",
                                 f"'{col} ' || {_quote(v + col + '_text')}"))
    for col in NUMBER_COLUMNS:
        if col in e:
            # NaN and infinities parse as doubles but would turn every sum they reach into NaN/inf.
            reason_cases.append((f"NOT isfinite({v}{col})", "non_finite_number",
                                 f"'{col} ' || {_quote(v + col + '_text')} || ' is not a finite number'"))
    known_types = " ".join(f"WHEN {literal(t)} THEN false" for t in LINE_TYPES)  # no IN: see line_types
    reason_cases += [
        (f"{v}quantity = 0", "zero_quantity", "'quantity is 0'"),
        (f"(CASE {v}line_type {known_types} ELSE true END)", "invalid_line_type",
         f"'line_type ' || {_quote(v + 'line_type')} || ' (use {'/'.join(LINE_TYPES)})'"),
        (f"{v}line_type = 'product' AND {v}{price} <= 0", "non_positive_price",
         f"'{price} ' || {v}{price}::VARCHAR || ' on a product line'"),
    ]
    if drop_duplicates:
        reason_cases.append(("__dup", "duplicate_line", "'exact copy of an earlier line'"))
    reason = "CASE " + " ".join(f"WHEN {c} THEN '{r}'" for c, r, _ in reason_cases) + " END"
    detail = "CASE " + " ".join(f"WHEN {c} THEN {d}" for c, _, d in reason_cases) + " END"

    # Prices are magnitudes: a return's sign lives in its quantity, whatever sign the export
    # gave its line revenue. Non-product lines (discounts, adjustments) keep their sign.
    if "line_total" in e:
        unit_price = (f"CASE WHEN {v}line_type = 'product' THEN abs({v}line_total / {v}quantity) "
                      f"ELSE {v}line_total / abs({v}quantity) END")
    else:
        unit_price = f"{v}unit_price"
    unit_cost = (f"abs({v}line_cost / {v}quantity)" if "line_cost" in e and "unit_cost" not in e
                 else (f"{v}unit_cost" if "unit_cost" in e else "NULL::DOUBLE"))
    optional = {c: (f"{v}{c}" if c in e else "NULL::DOUBLE") for c in ("list_price", "discount")}
    # Without an order id an order is the customer's calendar day, derived only when the part is
    # written (:func:`derived_order_id_sql`), after a pseudonymised ingest has replaced the ids.
    order_id = f"{v}order_id" if "order_id" in e else "NULL::VARCHAR"
    raw_json = "to_json(struct_pack(" + ", ".join(f"{ident(c)} := s.{ident(c)}" for c in columns) + "))"
    extra_sel = "".join(f", {v}x_{n} AS {ident(n)}" for n in extras.values())
    ordinal = ", __ord" if windows else ""
    source = f"(SELECT *, row_number() OVER () AS __ord FROM {source_sql})" if windows else source_sql
    sql = f"""
        WITH p AS NOT MATERIALIZED (SELECT {', '.join(p)} FROM {source} AS r),
        s AS NOT MATERIALIZED (SELECT *, {reason} AS __reason, {detail} AS __detail FROM p)
        SELECT {order_id} AS order_id, {v}customer_id AS customer_id, {v}product_id AS product_id,
               {v}ordered_at AS ordered_at, {v}quantity AS quantity, {unit_price} AS unit_price,
               {v}status AS status, {unit_cost} AS unit_cost, {optional['list_price']} AS list_price,
               {optional['discount']} AS discount, {v}category AS category, {v}name AS name,
               {v}country AS country, {v}channel AS channel, {v}currency AS currency,
               {v}payment_method AS payment_method, {v}line_type AS line_type{extra_sel}{ordinal},
               __h, __reason, __detail, CASE WHEN __reason IS NOT NULL THEN {raw_json} END AS __raw
        FROM s
    """
    return StagingPlan(sql, extras, windows, "order_id" not in e)


def derived_order_id_sql(customer_id: str, ordered_at: str) -> str:
    """SQL for the order id of an export without one: the customer's calendar day
    (``<customer>@2011-10-01``; NULL for guests, whose lines get one each at insert).

    Built from the stored customer id, so from its token in a pseudonymised ingest: an id derived
    from the clear value would carry it into the warehouse.
    """
    return (f"CASE WHEN {customer_id} IS NOT NULL THEN {customer_id} || '@' || "
            f"strftime({ordered_at}, '%Y-%m-%d') END")


def _quote(col: str) -> str:
    """SQL putting a text value between single quotes, for a detail message."""
    return f"'''' || coalesce({col}, '') || ''''"
