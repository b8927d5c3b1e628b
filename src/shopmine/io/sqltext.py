"""Small helpers for building DuckDB SQL text safely."""

from __future__ import annotations

import re


def ident(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Quote a string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def path_literal(path) -> str:
    """Quote a file path for DuckDB's readers, which expand globs: ``[``, ``*`` and ``?`` are
    bracketed so that a file named ``orders[1].csv`` is read, not ``orders1.csv``."""
    return literal(re.sub(r"([\[*?])", r"[\1]", str(path)))


# Text cleaning shared by every parser: blank means missing.
def clean(expr: str) -> str:
    """SQL for ``nullif(trim(expr), '')``, cheaper on the common value.

    DuckDB's ``trim`` strips Unicode space separators and decodes every character of every value
    to find them, about half the cost of reading a CSV column. A value that is all ASCII (as many
    bytes as characters), starts with a printable character other than a space and does not end
    with a space has nothing to strip, so it is returned as it is; the rest take ``trim``.
    """
    e = expr
    return (f"CASE WHEN {e} < '!' OR {e} > '~' OR suffix({e}, ' ') OR length({e}) <> strlen({e}) "
            f"THEN nullif(trim({e}), '') ELSE {e} END")
