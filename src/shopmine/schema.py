"""The canonical schema (DESIGN.md): the tables every module reads, whatever the export looked like."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type of the stored column
    help: str
    required: bool = False


ORDER_COLUMNS: tuple[Column, ...] = (
    Column("order_id", "VARCHAR", "Order id; customer + calendar day when the export has none."),
    Column("customer_id", "VARCHAR", "Customer id as a string; null for guests.", required=True),
    Column("product_id", "VARCHAR", "Product id (SKU, stock code) as a string.", required=True),
    Column("ordered_at", "TIMESTAMP", "Order time in the shop's local time, without a zone.", required=True),
    Column("quantity", "DOUBLE", "Units on the line; negative for a return or cancellation.", required=True),
    Column("unit_price", "DOUBLE", "Price paid per unit (or derived from line_total / quantity).",
           required=True),
    Column("status", "VARCHAR", "completed / cancelled / returned / refunded / pending ..."),
    Column("unit_cost", "DOUBLE", "Cost per unit (or derived from line_cost / quantity)."),
    Column("list_price", "DOUBLE", "Regular price per unit before discount."),
    Column("discount", "DOUBLE", "Discount amount on the line (money, not a fraction)."),
    Column("category", "VARCHAR", "Product category; a path like home/kitchen is allowed."),
    Column("name", "VARCHAR", "Product name or description."),
    Column("country", "VARCHAR", "Customer or shipping country."),
    Column("channel", "VARCHAR", "Sales channel (web, app, marketplace ...)."),
    Column("currency", "VARCHAR", "ISO currency code."),
    Column("payment_method", "VARCHAR", "Payment method."),
)

LINEAGE_COLUMNS: tuple[Column, ...] = (
    Column("line_type", "VARCHAR", "product / shipping / fee / discount / adjustment."),
    Column("batch_id", "VARCHAR", "The ingest batch that loaded the line."),
    Column("source_file", "VARCHAR", "File the line came from."),
    Column("source_line", "BIGINT", "Line number in that file (header = 1)."),
)

# Mapping targets that are not stored as such but converted (line_total -> unit_price ...).
DERIVED_SOURCES: dict[str, str] = {"line_total": "unit_price", "line_cost": "unit_cost"}

# The canonical columns of a products file; its other columns are kept as attributes.
PRODUCT_COLUMNS = ("product_id", "name", "category", "unit_cost", "list_price")

ORDER_COLUMN_NAMES = tuple(c.name for c in ORDER_COLUMNS)
CANONICAL_TYPES = {c.name: c.sql_type for c in ORDER_COLUMNS + LINEAGE_COLUMNS}
LINE_TYPES = ("product", "shipping", "fee", "discount", "adjustment")

# Statuses whose positive lines are not sales (DESIGN.md: sales are gross product lines).
NOT_SOLD_STATUSES = ("cancelled", "canceled", "returned", "refunded", "voided", "failed")
RETURN_STATUSES = ("returned", "refunded")
# The not-sold statuses that are not returns: the order (line) was called off before it was kept.
CANCELLED_STATUSES = tuple(s for s in NOT_SOLD_STATUSES if s not in RETURN_STATUSES)
