"""Small helpers for building DuckDB SQL text safely."""

from __future__ import annotations


def ident(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Quote a string literal."""
    return "'" + str(text).replace("'", "''") + "'"


# Text cleaning shared by every parser: blank means missing.
def clean(expr: str) -> str:
    return f"nullif(trim({expr}), '')"
