"""SQL that reads numbers as shops export them: currency signs, thousands separators, decimal commas."""

from __future__ import annotations

import re

from shopmine.io.sqltext import clean

_STRIP = r"[£$€¥\s]"


def number_sql(expr: str) -> str:
    """TEXT -> DOUBLE, NULL when missing or unparseable (the caller tells the two apart).

    Plain numbers take the direct cast (which, like ``trim``, ignores surrounding whitespace); only
    the rest (currency signs, separators) pays for the regular expressions. DuckDB evaluates
    COALESCE's later arguments only where needed, but it hoists an expression that occurs several
    times out of them and then computes it on every row: so the stripped text is bound once, as a
    lambda parameter, rather than written out in each branch.
    """
    stripped = f"regexp_replace({clean(expr)}, '{_STRIP}', '', 'g')"
    return (
        f"coalesce(TRY_CAST({expr} AS DOUBLE), list_transform([{stripped}], lambda __n: TRY_CAST(CASE "
        f"WHEN regexp_full_match(__n, '-?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?') THEN replace(__n, ',', '') "
        f"WHEN regexp_full_match(__n, '-?[0-9]+,[0-9]{{1,2}}') THEN replace(__n, ',', '.') "
        f"ELSE __n END AS DOUBLE))[1])"
    )


# A spreadsheet turns the id 17850 into 17850.0; the trailing zeros are not part of the id.
FLOAT_ID = r"^(-?[0-9]+)\.0+$"


def normalize_id(text: str) -> str:
    """Python twin of :func:`id_sql` for values handled outside SQL (already trimmed)."""
    return re.sub(FLOAT_ID, r"\1", text)


def id_sql(expr: str) -> str:
    """TEXT -> id string: blank is NULL, ``17850.0`` becomes ``17850``, leading zeros stay."""
    t = clean(expr)
    return f"CASE WHEN contains({t}, '.') THEN regexp_replace({t}, '{FLOAT_ID}', '\\1') ELSE {t} END"
