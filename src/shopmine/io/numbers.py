"""SQL that reads numbers as shops export them: currency signs, thousands separators, decimal commas."""

from __future__ import annotations

from shopmine.io.sqltext import clean

_STRIP = r"[£$€¥\s]"


def number_sql(expr: str) -> str:
    """TEXT -> DOUBLE, NULL when missing or unparseable (the caller tells the two apart)."""
    t = f"regexp_replace({clean(expr)}, '{_STRIP}', '', 'g')"
    return (
        f"TRY_CAST(CASE "
        f"WHEN regexp_full_match({t}, '-?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?') THEN replace({t}, ',', '') "
        f"WHEN regexp_full_match({t}, '-?[0-9]+,[0-9]{{1,2}}') THEN replace({t}, ',', '.') "
        f"ELSE {t} END AS DOUBLE)"
    )


def id_sql(expr: str) -> str:
    """TEXT -> id string: blank is NULL, ``17850.0`` becomes ``17850``, leading zeros stay."""
    return f"regexp_replace({clean(expr)}, '^(-?[0-9]+)\\.0+$', '\\1')"
