"""Outlier rule for quantities and prices: far outside the middle of the distribution on a log scale.

Retail quantities and prices are heavy-tailed, so the interquartile rule is applied to log10
values (Tukey's fences with k = 3, "far out"): a price 1,000 times the typical one is flagged,
a bulk order of 48 units is not.
"""

from __future__ import annotations

import duckdb

FENCE_K = 3.0


def log_fence_outliers(con: duckdb.DuckDBPyConnection, column: str, where: str, examples: int = 5) -> dict:
    q1, q3, n = con.execute(
        f"SELECT quantile_cont(log10({column}), 0.25), quantile_cont(log10({column}), 0.75), count(*) "
        f"FROM orders WHERE {where} AND {column} > 0"
    ).fetchone()
    if not n:
        return {"rows": 0, "outliers": 0}
    iqr = q3 - q1
    low, high = 10 ** (q1 - FENCE_K * iqr), 10 ** (q3 + FENCE_K * iqr)
    count, = con.execute(
        f"SELECT count(*) FROM orders WHERE {where} AND {column} > 0 AND ({column} < ? OR {column} > ?)",
        [low, high],
    ).fetchone()
    top = con.execute(
        f"SELECT product_id, {column}, source_file, source_line FROM orders WHERE {where} AND {column} > ? "
        f"ORDER BY {column} DESC LIMIT {examples}", [high],
    ).fetchall()
    return {
        "rows": int(n), "outliers": int(count), "low": float(low), "high": float(high),
        "examples": [{"product_id": p, "value": float(v), "source_file": f, "source_line": int(ln)}
                     for p, v, f, ln in top],
    }
