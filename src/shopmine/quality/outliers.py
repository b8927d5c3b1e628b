"""Outlier rule for quantities and prices: far outside the middle of the distribution on a log scale.

Retail quantities and prices are heavy-tailed, so the interquartile rule is applied to log10
values (Tukey's fences with k = 3, "far out"): a price 1,000 times the typical one is flagged,
a bulk order of 48 units is not.

The quartiles are those of the *distinct* values, not of the lines: quantities are small integers
repeated hundreds of thousands of times, so the line quartiles of a shop selling mostly single
items are both 1 and the fences collapse to low = high = 1 (a grocery log had 178k of its 818k
lines flagged). Each distinct value counts once, so the fences span the range of sizes the shop
actually sells. One-off lines far beyond their *product's* usual size are found per product
instead (:mod:`shopmine.quality.bulk_lines`).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence

import duckdb

FENCE_K = 3.0


# Up to this many distinct values the quartiles are read off their counts (see log_quartiles).
MAX_DISTINCT = 100_000


def _quantile_cont(values: Sequence[float], counts: Sequence[int], q: float) -> float:
    """DuckDB's ``quantile_cont`` (DOUBLE) of ``values`` (ascending) each repeated its count.

    The same arithmetic as DuckDB's: the values at positions ``floor`` and ``ceil`` of
    ``(n - 1) * q`` and ``lo * (1 - d) + hi * d`` between them, so the same result to the bit.
    """
    ends = list(itertools.accumulate(counts))
    rn = float(ends[-1] - 1) * q
    frn, crn = math.floor(rn), math.ceil(rn)
    lo = values[bisect.bisect_right(ends, frn)]
    if crn == frn:
        return lo
    d = rn - frn
    return lo * (1.0 - d) + values[bisect.bisect_right(ends, crn)] * d


def log_quartiles(con: duckdb.DuckDBPyConnection, column: str, where: str) -> tuple[int, float | None, float | None]:
    """Number of positive values of ``column`` on the ``orders`` lines matching ``where``, and the
    first and third quartiles (``quantile_cont``) of their log10.

    DuckDB's ``quantile_cont`` copies and sorts every value on one thread. Quantities and prices
    repeat, so the quartiles are read off the count of each distinct value (counted in parallel)
    instead; a column with more than MAX_DISTINCT distinct values takes ``quantile_cont``.
    """
    counted = con.execute(
        f"SELECT log10({column}), count(*) FROM orders WHERE {where} AND {column} > 0 GROUP BY 1 "
        f"LIMIT {MAX_DISTINCT + 1}"
    ).fetchall()
    if not counted:
        return 0, None, None
    if len(counted) <= MAX_DISTINCT:
        counted.sort()
        values, counts = [v for v, _ in counted], [c for _, c in counted]
        return sum(counts), _quantile_cont(values, counts, 0.25), _quantile_cont(values, counts, 0.75)
    n, (q1, q3) = con.execute(
        f"SELECT count(*), quantile_cont(log10({column}), [0.25, 0.75]) FROM orders WHERE {where} AND {column} > 0"
    ).fetchone()
    return n, q1, q3


def distinct_log_quartiles(con: duckdb.DuckDBPyConnection, column: str,
                           where: str) -> tuple[int, float | None, float | None]:
    """Number of positive values of ``column`` on the ``orders`` lines matching ``where``, and the
    first and third quartiles (``quantile_cont``) of the log10 of its *distinct* positive values."""
    n, q1, q3 = con.execute(
        f"SELECT (SELECT count(*) FROM orders WHERE {where} AND {column} > 0), quantile_cont(v, 0.25), "
        f"quantile_cont(v, 0.75) FROM (SELECT DISTINCT log10({column}) AS v FROM orders "
        f"WHERE {where} AND {column} > 0)"
    ).fetchone()
    return int(n), q1, q3


def log_fence_outliers(con: duckdb.DuckDBPyConnection, columns: Sequence[str], where: str,
                       examples: int = 5) -> dict[str, dict]:
    """Fences, outlier counts and the largest outliers of each of ``columns`` (its positive values
    on the ``orders`` lines matching ``where``); the columns share one scan for the counts.

    The fences are ``10 ** (Q1 - 3 IQR)`` and ``10 ** (Q3 + 3 IQR)`` with the quartiles of the
    log10 of the distinct values (:func:`distinct_log_quartiles`).
    """
    out: dict[str, dict] = {}
    fences: dict[str, tuple[float, float]] = {}
    for column in columns:
        n, q1, q3 = distinct_log_quartiles(con, column, where)
        if not n:
            out[column] = {"rows": 0, "outliers": 0}
            continue
        iqr = q3 - q1
        fences[column] = (10 ** (q1 - FENCE_K * iqr), 10 ** (q3 + FENCE_K * iqr))
        out[column] = {"rows": n}
    if not fences:
        return out
    tests = ", ".join(f"count(*) FILTER (WHERE {c} > 0 AND ({c} < ? OR {c} > ?))" for c in fences)
    params = [bound for low_high in fences.values() for bound in low_high]
    found = con.execute(f"SELECT {tests} FROM orders WHERE {where}", params).fetchone()
    for (column, (low, high)), count in zip(fences.items(), found):
        top = con.execute(
            f"SELECT product_id, {column}, source_file, source_line FROM orders WHERE {where} AND {column} > ? "
            f"ORDER BY {column} DESC, source_file, source_line LIMIT {examples}", [high],
        ).fetchall()
        out[column].update({
            "outliers": int(count), "low": float(low), "high": float(high),
            "examples": [{"product_id": p, "value": float(v), "source_file": f, "source_line": int(ln)}
                         for p, v, f, ln in top],
        })
    return out
