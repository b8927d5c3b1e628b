"""Recognise lines that are not products: postage, fees, discounts, manual adjustments.

Codes seen in real exports (UCI Online Retail: POST, DOT, C2, BANK CHARGES, AMAZONFEE, CRUK, D, M,
B; marketplaces: shipping/delivery/commission lines). They are kept, with a line type, but never
counted as products.
"""

from __future__ import annotations

from shopmine.io.sqltext import literal

# Whole-id matches (upper-cased, trimmed product id).
ID_CODES = {
    "shipping": ("POST", "POSTAGE", "DOT", "C2", "SHIPPING", "DELIVERY", "CARRIAGE", "FREIGHT"),
    "fee": ("BANK CHARGES", "AMAZONFEE", "CRUK", "FEE", "COMMISSION", "PAYPALFEE"),
    "discount": ("D", "DISCOUNT", "COUPON", "VOUCHER"),
    "adjustment": ("M", "MANUAL", "B", "ADJUST", "ADJUST2", "ADJUSTMENT", "S"),
}
# Phrase matches on the product name (case-insensitive regular expressions).
NAME_PATTERNS = {
    "shipping": r"^(dotcom )?postage$|^(shipping|delivery|carriage)( charge| fee| cost)?s?$",
    "fee": r"bank charges|amazon fee|marketplace fee|commission|^transaction fee",
    "discount": r"^discount$|^coupon|^voucher discount",
    "adjustment": r"^manual$|^adjust(ment)? |bad debt|^samples$",
}


def line_type_sql(product_id: str, name: str | None) -> str:
    """CASE expression giving the line type from product id and name SQL expressions.

    ``product_id`` is a cleaned id (:func:`~shopmine.io.numbers.id_sql`), already trimmed.
    """
    pid = f"upper({product_id})"
    # One simple CASE over the codes: DuckDB plans IN lists (and list_contains) as joins, which
    # cost several times more per row than this lookup.
    by_code = " ".join(f"WHEN {literal(code)} THEN '{kind}'" for kind, codes in ID_CODES.items() for code in codes)
    # The code lookup runs once: COALESCE evaluates the name patterns only for lines it left NULL.
    by_name = "'product'"
    if name is not None:
        patterns = " ".join(f"WHEN regexp_matches(lower(trim({name})), {literal(pattern)}) THEN '{kind}'"
                            for kind, pattern in NAME_PATTERNS.items())
        by_name = f"CASE {patterns} ELSE 'product' END"
    return f"coalesce(CASE {pid} {by_code} END, {by_name})"
