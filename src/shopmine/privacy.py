"""Keyed pseudonymisation: the same value always maps to the same token, and without the
workspace's key nobody can recompute it (HMAC-SHA256, RFC 2104).

Hashing runs in Python over the *distinct* values only (customers, e-mails ...), then joins back,
so it costs little even on logs of millions of lines. DuckDB has no HMAC function, and hashing
with the key inside SQL text would put the key into query logs.

Personal data is found by a column's name and by its content: a column in which any value holds an
e-mail address or a phone number (whole, or inside free text such as a delivery note) is replaced
whole, value by value. Masking only the matched substrings would keep a note's other words, but
free text that carries contact details usually carries names and addresses too, which no pattern
finds reliably; a token per value keeps what analyses need (equal values stay equal) and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import pandas as pd

from shopmine.io.sqltext import ident, literal

TOKEN_PREFIX = "p_"
TOKEN_HEX = 20  # 80 bits: no collisions at any realistic number of customers

# Column names that hold personal data (compared on lower-case names with punctuation as "_").
PII_NAME_PATTERNS = (
    r"e?mail", r"phone", r"telephone", r"mobile", r"^tel$", r"(^|_)cell(_|$)", r"(^|_)fax(_|$)", r"whatsapp",
    r"(first|last|full|customer|billing|shipping|contact|given|family|sur)_?name",
    r"address", r"street", r"zip", r"postcode", r"postal",
    r"recipient", r"addressee", r"consignee", r"contact", r"(ship|bill|deliver|delivery|send|sold)_?to(_|$)",
    r"(^|_)ip(_|$)", r"birth", r"(^|_)dob(_|$)",
)

# The patterns below are written once for both regex engines: DuckDB's RE2 (over whole columns)
# and Python's ``re`` (masking single texts), so they use only syntax the two share.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# A phone number: international (+44 7700 900123, +1 (555) 123-4567), an area code in brackets
# ((020) 7946 0958), a national number behind its trunk 0 (07700 900123, 06 12 34 56 78), or the
# North American 555-123-4567. Dates (2011-12-01, 01.12.2011), times, prices, zero-padded ids and
# bare product numbers or barcodes do not match; a match must also hold 8 to 15 digits (E.164).
PHONE_PATTERN = (
    r"\+[1-9][0-9]{0,3}(?:[ .-]?\(?[0-9]{1,5}\)?){2,6}"
    r"|\(0?[1-9][0-9]{1,4}\)[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4}"
    r"|\b0[1-9][0-9]{1,4}[ .-]?[0-9]{3,4}[ .-]?[0-9]{3,4}\b"
    r"|\b0[1-9](?:[ .-][0-9]{2}){4}\b"
    r"|\b[2-9][0-9]{2}[.-][0-9]{3}[.-][0-9]{4}\b"
)
PHONE_DIGITS = (8, 15)
_EMAIL = re.compile(EMAIL_PATTERN, re.ASCII)
_PHONE = re.compile(PHONE_PATTERN, re.ASCII)

REASON_NAME = "name"
REASON_EMAIL = "content: e-mail addresses"
REASON_PHONE = "content: phone numbers"


def pseudonym(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest[:TOKEN_HEX]


def looks_like_pii_name(column: str) -> bool:
    norm = re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")
    return any(re.search(p, norm) for p in PII_NAME_PATTERNS)


def _is_phone(match: str) -> bool:
    digits = sum(ch.isdigit() for ch in match)
    return PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]


def mask_contacts(text: str, key: bytes) -> str:
    """``text`` with every e-mail address and phone number in it replaced by its token.

    For texts that cannot be cleaned column by column (a quarantine detail, a value of a column
    that no check flagged): a last line of defence, not the way columns are pseudonymised.
    """
    text = _EMAIL.sub(lambda m: pseudonym(m.group(0), key), text)
    return _PHONE.sub(lambda m: pseudonym(m.group(0), key) if _is_phone(m.group(0)) else m.group(0), text)


def _phone_sql(q: str) -> str:
    """SQL: does text ``q`` hold a phone number (a match with 8 to 15 digits)?

    One ``regexp_extract_all`` per value: on Online Retail's columns it costs a third of a
    ``regexp_matches`` followed by a ``regexp_extract``, and it sees every match, not the first.
    """
    digits = "length(regexp_replace(m, '[^0-9]', '', 'g'))"
    return (f"len(list_filter(regexp_extract_all({q}, {literal(PHONE_PATTERN)}), "
            f"m -> {digits} BETWEEN {PHONE_DIGITS[0]} AND {PHONE_DIGITS[1]})) > 0")


def detect_pii_columns(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str],
                       exclude: set[str]) -> dict[str, str]:
    """Columns that hold personal data, each with the reason: its name, or its content.

    A column is personal when its name looks like personal data (:data:`PII_NAME_PATTERNS`), or
    when any of its values holds an e-mail address or a phone number, whole or inside free text.
    ``relation`` is SQL for a table or a file scan; it is read once, whole (one leaked phone number
    in a million notes is still a leak, so no sample decides).
    """
    found: dict[str, str] = {}
    scanned = []
    for col in columns:
        if col in exclude:
            continue
        if looks_like_pii_name(col):
            found[col] = REASON_NAME
        else:
            scanned.append(col)
    if scanned:
        counts = []
        for i, col in enumerate(scanned):
            q = ident(col)
            counts.append(f"count(*) FILTER (WHERE regexp_matches({q}, {literal(EMAIL_PATTERN)})) AS e{i}")
            counts.append(f"count(*) FILTER (WHERE {_phone_sql(q)}) AS p{i}")
        row = con.execute(f"SELECT {', '.join(counts)} FROM {relation}").fetchone()
        for i, col in enumerate(scanned):
            if row[2 * i]:
                found[col] = REASON_EMAIL
            elif row[2 * i + 1]:
                found[col] = REASON_PHONE
    return {c: found[c] for c in columns if c in found}


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
