"""The shop's currency, and amounts written for people: ``£171,500``, ``$12.35``, ``171,500 CHF``.

Which currency: the ``currency`` setting when it is given; otherwise the orders' ``currency`` column
when its lines hold one code (the Online Retail preset writes GBP there); otherwise none, and amounts
are plain numbers. A log in several currencies gets plain numbers: its sums add unlike money, and the
quality report lists the currencies.
"""

from __future__ import annotations

import math
import re

import ibis

from shopmine.errors import ShopmineInputError

__all__ = ["SYMBOLS", "check_currency", "detect_currency", "format_amount"]

#: Currencies written with a symbol before the number; any other code follows the number.
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}

_CODE = re.compile(r"[A-Z]{3}")


def check_currency(code: str, where: str) -> str:
    """An ISO 4217 code in capitals (``gbp`` -> ``GBP``), or an error naming ``where`` it came from."""
    text = str(code).strip().upper()
    if not _CODE.fullmatch(text):
        raise ShopmineInputError(
            f"{where} must be a three-letter ISO 4217 currency code such as GBP, USD or EUR. "
            f"Got {code!r} instead."
        )
    return text


def detect_currency(orders: ibis.Table) -> str | None:
    """The one currency code of the order lines' ``currency`` column, or None (no column, no value,
    several codes, or a value that is not a code)."""
    if "currency" not in orders.columns:
        return None
    col = orders.currency
    codes = orders.filter(col.notnull()).select(code=col.upper()).distinct().limit(2)
    found = codes.to_pyarrow().column("code").to_pylist()
    if len(found) != 1 or not _CODE.fullmatch(str(found[0])):
        return None
    return str(found[0])


def format_amount(value, currency: str | None = None) -> str:
    """An amount for people: whole units from 1,000 up, cents below; empty when missing.

    >>> format_amount(171499.6, "GBP"), format_amount(12.345, "USD"), format_amount(-5, "EUR")
    ('£171,500', '$12.35', '-€5.00')
    >>> format_amount(171499.6, "CHF"), format_amount(171499.6), format_amount(float("nan"), "GBP")
    ('171,500 CHF', '171,500', '')
    """
    if value is None:
        return ""
    number = float(value)
    if math.isnan(number):
        return ""
    magnitude = abs(number)
    text = f"{magnitude:,.0f}" if magnitude >= 1000 else f"{magnitude:,.2f}"
    # No "-0.00": a sign only where the rounded amount is not zero.
    sign = "-" if number < 0 and text.strip("0.,") else ""
    if currency is None:
        return f"{sign}{text}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"
