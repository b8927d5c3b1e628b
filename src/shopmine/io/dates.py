"""Detect the date layout of a whole column, and the SQL that parses it.

Layouts: ISO (with or without time, optional zone offset), M/D/YYYY, D/M/YYYY, D.M.YYYY and epoch
seconds (or milliseconds). The slash layouts are told apart from the whole column: a first field
above 12 means day-first, a second field above 12 month-first; a column where neither happens
cannot decide, and the user is asked for a ``date_format``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from shopmine.errors import ShopmineInputError
from shopmine.io.sqltext import clean, ident, literal

ISO = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
SLASH = r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"
DOT = r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?$"
EPOCH = r"^[0-9]{9,10}(\.[0-9]+)?$"
EPOCH_MS = r"^[0-9]{12,13}$"
# An offset counts only after a time of day: "2024-01-05" ends in "-05" but has no zone.
OFFSET = r"[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"

_TIME_SUFFIXES = (" %H:%M:%S", " %H:%M", "")


@dataclass(frozen=True)
class DateLayout:
    kind: str  # iso | mdy | dmy | dmy_dot | epoch | epoch_ms | format
    format: str | None = None

    def describe(self) -> str:
        return {"iso": "ISO (YYYY-MM-DD)", "mdy": "M/D/YYYY", "dmy": "D/M/YYYY",
                "dmy_dot": "D.M.YYYY", "epoch": "epoch seconds", "epoch_ms": "epoch milliseconds",
                }.get(self.kind, f"format {self.format}")


def detect_layout(con: duckdb.DuckDBPyConnection, relation: str, column: str, where: str) -> DateLayout:
    """Look at every value of ``column`` in ``relation`` (a table or a file scan) and pick its layout.

    Values are grouped by their shape (digits replaced by 0), so the layouts are tested on a few
    dozen shapes rather than on millions of values. ``where`` names the file and column for errors.
    """
    v = clean(ident(column))
    shapes = con.execute(
        f"SELECT translate({v}, '0123456789', '0000000000') AS shape, count(*), min({v}) "
        f"FROM {relation} WHERE {v} IS NOT NULL GROUP BY 1"
    ).fetchall()
    if not shapes:
        raise ShopmineInputError(f"{where}: the date column is empty in every row; map another "
                                 "column with {mapping} ordered_at=COLUMN.", "mapping")
    counts = {"iso": 0, "slash": 0, "dmy_dot": 0, "epoch": 0, "epoch_ms": 0}
    patterns = {"iso": ISO, "slash": SLASH, "dmy_dot": DOT, "epoch": EPOCH, "epoch_ms": EPOCH_MS}
    for shape, n, _example in shapes:
        for kind, pattern in patterns.items():
            if re.match(pattern, shape):
                counts[kind] += n
                break
    examples = [ex for _shape, _n, ex in sorted(shapes, key=lambda r: -r[1])[:3]]
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise ShopmineInputError(
            f"{where}: cannot recognise the dates (e.g. {', '.join(map(repr, examples))}); "
            "pass {date_format}, e.g. {date_format} '%d-%m-%Y %H:%M'.", "date_format"
        )
    if best != "slash":
        return DateLayout(best)
    max_first, max_second, slash_examples = con.execute(
        f"SELECT max(TRY_CAST(split_part({v}, '/', 1) AS INTEGER)), "
        f"max(TRY_CAST(split_part({v}, '/', 2) AS INTEGER)), list(DISTINCT {v})[1:3] "
        f"FROM {relation} WHERE regexp_matches({v}, {literal(SLASH)})"
    ).fetchone()
    first_day, second_day = (max_first or 0) > 12, (max_second or 0) > 12
    if first_day and not second_day:
        return DateLayout("dmy")
    if second_day and not first_day:
        return DateLayout("mdy")
    why = ("both fields go above 12" if first_day else "no field goes above 12, so day and month "
           "cannot be told apart")
    raise ShopmineInputError(
        f"{where}: the dates look like ../../YYYY but {why} (e.g. {', '.join(map(repr, sorted(slash_examples)))}); "
        "pass {date_format} '%m/%d/%Y' (month first) or {date_format} '%d/%m/%Y' (day first).", "date_format"
    )


def parse_sql(expr: str, layout: DateLayout, timezone: str) -> str:
    """SQL turning text ``expr`` into a TIMESTAMP in the shop's local time (NULL when unparseable)."""
    v = clean(expr)
    tz = literal(timezone)
    if layout.kind == "iso":
        # Offsets go through TIMESTAMPTZ: a plain cast to TIMESTAMP would silently drop them.
        no_space = f"regexp_replace({v}, '\\s+([+-][0-9]{{2}}:?[0-9]{{2}})$', '\\1')"
        # Cheap test first: a zone needs a 'Z', a '+' or a '-' after the date part (two contains()
        # rather than upper(), which would copy every value).
        maybe_zone = (f"(contains({v}, '+') OR contains({v}, 'Z') OR contains({v}, 'z') "
                      f"OR contains(substr({v}, 11), '-'))")
        return (f"CASE WHEN NOT {maybe_zone} THEN TRY_CAST({v} AS TIMESTAMP) "
                f"WHEN regexp_matches({v}, {literal(OFFSET)}) "
                f"THEN timezone({tz}, TRY_CAST({no_space} AS TIMESTAMPTZ)) "
                f"ELSE TRY_CAST({v} AS TIMESTAMP) END")
    if layout.kind in ("mdy", "dmy", "dmy_dot"):
        base = {"mdy": "%m/%d/%Y", "dmy": "%d/%m/%Y", "dmy_dot": "%d.%m.%Y"}[layout.kind]
        formats = ", ".join(literal(base + s) for s in _TIME_SUFFIXES)
        fixed = f"replace({v}, 'T', ' ')"
        return f"try_strptime({fixed}, [{formats}])"
    if layout.kind == "epoch":
        return f"timezone({tz}, to_timestamp(TRY_CAST({v} AS DOUBLE)))"
    if layout.kind == "epoch_ms":
        return f"timezone({tz}, to_timestamp(TRY_CAST({v} AS DOUBLE) / 1000.0))"
    fmt = layout.format or ""
    parsed = f"try_strptime({v}, {literal(fmt)})"
    return f"timezone({tz}, {parsed})" if "%z" in fmt or "%Z" in fmt else parsed


def check_format(fmt: str) -> DateLayout:
    if "%" not in fmt:
        raise ShopmineInputError(
            f"{{date_format}} {fmt!r} has no % directive; use strftime codes like '%d/%m/%Y %H:%M'.", "date_format"
        )
    return DateLayout("format", fmt)


def check_timezone(con: duckdb.DuckDBPyConnection, timezone: str) -> None:
    names = {r[0].lower() for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()}
    if timezone.lower() not in names:
        raise ShopmineInputError(
            f"{{timezone}} {timezone!r} is not a known time zone; use an IANA name like Europe/London.", "timezone"
        )
