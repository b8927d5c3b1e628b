"""Column layouts of well-known exports.

A preset maps canonical names to the export's columns and may derive values the export encodes in
its own way (UCI cancellations are invoices starting with ``C``; Shopify writes order-level fields
only on an order's first line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from shopmine.errors import invalid_value
from shopmine.io.sqltext import clean


@dataclass(frozen=True)
class Preset:
    name: str
    help: str
    # canonical name -> the export's column, or its spellings in the export's versions, first found wins.
    mapping: dict[str, str | tuple[str, ...]]
    optional: frozenset[str] = frozenset()
    # canonical name -> function(exprs) -> SQL, where exprs maps canonical names to text SQL.
    derive: dict[str, Callable[[dict[str, str]], str]] = field(default_factory=dict)
    # Fields written only on an order's first line: filled from the order's other lines.
    order_level: tuple[str, ...] = ()
    # Line types decided by the preset before the generic code lists.
    line_type: Callable[[dict[str, str]], str | None] | None = None


def _uci_status(e: dict[str, str]) -> str:
    return f"CASE WHEN upper({clean(e['order_id'])}) LIKE 'C%' THEN 'cancelled' ELSE 'completed' END"


def _uci_quantity(e: dict[str, str]) -> str:
    # Cancellation lines already carry negative quantities; force the sign in case an export doesn't.
    q = clean(e["quantity"])
    return (f"CASE WHEN upper({clean(e['order_id'])}) LIKE 'C%' AND left({q}, 1) <> '-' "
            f"THEN '-' || {q} ELSE {q} END")


def _uci_line_type(e: dict[str, str]) -> str:
    return f"CASE WHEN upper({clean(e['order_id'])}) LIKE 'A%' THEN 'adjustment' END"


def _uci_currency(e: dict[str, str]) -> str:
    # The UCI shop is in the UK; its description gives UnitPrice "in sterling".
    return clean(e["currency"]) if "currency" in e else "'GBP'"


def _shopify_status(e: dict[str, str]) -> str:
    cancelled = e.get("__cancelled_at")
    financial = e.get("status")
    parts = []
    if cancelled:
        parts.append(f"WHEN {clean(cancelled)} IS NOT NULL THEN 'cancelled'")
    if financial:
        parts.append(f"WHEN lower({clean(financial)}) IN ('refunded') THEN 'refunded'")
        parts.append(f"WHEN lower({clean(financial)}) IN ('voided') THEN 'voided'")
    return "CASE " + " ".join(parts) + " ELSE 'completed' END" if parts else "'completed'"


def _shopify_product(e: dict[str, str]) -> str:
    name = e.get("name")
    sku = clean(e["product_id"])
    return f"coalesce({sku}, {clean(name)})" if name else sku


PRESETS: dict[str, Preset] = {
    "online_retail": Preset(
        name="online_retail",
        help="UCI Online Retail layout: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, "
             "UnitPrice, CustomerID, Country (Online Retail II's Invoice, Price and Customer ID too).",
        # Online Retail II (2009-2011) renamed InvoiceNo, UnitPrice and CustomerID; same codes otherwise.
        mapping={"order_id": ("InvoiceNo", "Invoice"), "product_id": "StockCode", "name": "Description",
                 "quantity": "Quantity", "ordered_at": "InvoiceDate", "unit_price": ("UnitPrice", "Price"),
                 "customer_id": ("CustomerID", "Customer ID"), "country": "Country"},
        optional=frozenset({"name", "country"}),
        derive={"status": _uci_status, "quantity": _uci_quantity, "currency": _uci_currency},
        line_type=_uci_line_type,
    ),
    "shopify": Preset(
        name="shopify",
        help="Shopify order export: Name, Email, Created at, Lineitem quantity/price/sku/name, "
             "Lineitem compare at price, Lineitem discount, Currency, Billing Country, Payment Method.",
        mapping={"order_id": "Name", "customer_id": "Email", "ordered_at": "Created at",
                 "quantity": "Lineitem quantity", "unit_price": "Lineitem price",
                 "list_price": "Lineitem compare at price", "discount": "Lineitem discount",
                 "product_id": "Lineitem sku", "name": "Lineitem name", "currency": "Currency",
                 "country": "Billing Country", "payment_method": "Payment Method", "channel": "Source",
                 "status": "Financial Status", "__cancelled_at": "Cancelled at"},
        optional=frozenset({"list_price", "discount", "currency", "country", "payment_method", "channel",
                            "status", "__cancelled_at", "name"}),
        derive={"status": _shopify_status, "product_id": _shopify_product},
        order_level=("customer_id", "ordered_at", "currency", "country", "payment_method", "channel",
                     "status", "__cancelled_at"),
    ),
    "transactions": Preset(
        name="transactions",
        help="Grocery transactions: TRANSACTION_DT, CUSTOMER_ID, PRODUCT_ID, AMOUNT (units), "
             "SALES_PRICE (line revenue), ASSET (line cost), PRODUCT_SUBCLASS.",
        mapping={"ordered_at": "TRANSACTION_DT", "customer_id": "CUSTOMER_ID", "product_id": "PRODUCT_ID",
                 "quantity": "AMOUNT", "line_total": "SALES_PRICE", "line_cost": "ASSET",
                 "category": "PRODUCT_SUBCLASS"},
        optional=frozenset({"line_cost", "category"}),
    ),
}


def spellings(source: str | tuple[str, ...]) -> tuple[str, ...]:
    """A preset column's spellings, the usual one first."""
    return (source,) if isinstance(source, str) else source


def matching_presets(columns: list[str], found: Callable[[list[str], str], str | None]) -> list[str]:
    """The presets whose every required column the file has (``found(columns, name)`` finds one).

    Examples
    --------
    >>> cols = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]
    >>> matching_presets(cols, lambda cs, n: n if n in cs else None)
    ['online_retail']
    """
    return [preset.name for preset in PRESETS.values()
            if all(any(found(columns, n) is not None for n in spellings(source))
                   for canonical, source in preset.mapping.items() if canonical not in preset.optional)]


def get_preset(name: str | None) -> Preset | None:
    if name is None:
        return None
    preset = PRESETS.get(name.lower().replace("-", "_"))
    if preset is None:
        raise invalid_value("preset", f"one of {', '.join(PRESETS)}", name, fix="Or map columns with {mapping}.",
                            mentions=("mapping",))
    return preset
