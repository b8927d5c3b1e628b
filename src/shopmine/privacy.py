"""Keyed pseudonymisation: the same value always maps to the same token, and without the
workspace's key nobody can recompute it (HMAC-SHA256, RFC 2104).

Hashing runs in Python over the *distinct* values only (customers, e-mails ...), then joins back,
so it costs little even on logs of millions of lines. DuckDB has no HMAC function, and hashing
with the key inside SQL text would put the key into query logs.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import pandas as pd

TOKEN_PREFIX = "p_"
TOKEN_HEX = 20  # 80 bits: no collisions at any realistic number of customers

# Column names that hold personal data (compared on lower-case names with punctuation removed).
PII_NAME_PATTERNS = (
    r"e?mail", r"phone", r"telephone", r"mobile", r"^tel$",
    r"(first|last|full|customer|billing|shipping|contact|given|family|sur)_?name",
    r"address", r"street", r"zip", r"postcode", r"postal",
)
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"


def pseudonym(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest[:TOKEN_HEX]


def looks_like_pii_name(column: str) -> bool:
    norm = re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")
    return any(re.search(p, norm) for p in PII_NAME_PATTERNS)


def detect_pii_columns(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str],
                       exclude: set[str]) -> list[str]:
    """Columns named like personal data, or whose values are mostly e-mail addresses.

    ``relation`` is SQL for a table or a file scan; 1,000 non-empty values per column are looked at.
    """
    found = []
    for col in columns:
        if col in exclude:
            continue
        if looks_like_pii_name(col):
            found.append(col)
            continue
        q = '"' + col.replace('"', '""') + '"'
        share = con.execute(
            f"SELECT avg(CASE WHEN regexp_matches(v, '{EMAIL_RE}') THEN 1.0 ELSE 0.0 END) FROM "
            f"(SELECT trim({q}) AS v FROM {relation} WHERE nullif(trim({q}), '') IS NOT NULL LIMIT 1000)"
        ).fetchone()[0]
        if share is not None and share > 0.5:
            found.append(col)
    return found


def pseudonymize_columns(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str],
                         key: bytes) -> None:
    """Replace each column's values by their tokens, in place.

    ``columns`` maps a column to the SQL expression of the value to hash (e.g. a normalised id,
    so that ``17850.0`` and ``17850`` get one token).
    """
    for col, value_sql in columns.items():
        q = '"' + col.replace('"', '""') + '"'
        distinct = con.execute(
            f"SELECT DISTINCT {value_sql} AS v FROM \"{table}\" WHERE {value_sql} IS NOT NULL"
        ).fetchall()
        tokens = pd.DataFrame({"__pv": [r[0] for r in distinct],
                               "__ptoken": [pseudonym(r[0], key) for r in distinct]})
        con.register("__tokens", tokens)
        con.execute(
            f"UPDATE \"{table}\" SET {q} = t.__ptoken FROM __tokens t WHERE {value_sql} = t.__pv"
        )
        con.execute(f"UPDATE \"{table}\" SET {q} = NULL WHERE {value_sql} IS NULL")
        con.unregister("__tokens")
