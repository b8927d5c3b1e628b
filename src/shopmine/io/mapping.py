"""Resolve which column of an export feeds which canonical column.

Sources, strongest first: the mapping given to ingest (the command line's), the workspace's ``[mapping]``, the preset,
then columns that already carry a canonical name (compared without case, spaces or punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from shopmine.errors import ShopmineInputError
from shopmine.io.presets import Preset, matching_presets, spellings
from shopmine.schema import DERIVED_SOURCES, ORDER_COLUMN_NAMES, PRODUCT_COLUMNS

MAPPABLE = tuple(ORDER_COLUMN_NAMES) + tuple(DERIVED_SOURCES) + ("line_type",)
REQUIRED = ("customer_id", "product_id", "ordered_at", "quantity")


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def parse_map_options(items: Iterable[str], *, allowed: tuple[str, ...] = MAPPABLE, parameter: str = "mapping",
                      example: str = "unit_price=Price") -> dict[str, str]:
    """``["unit_price=Price", ...]`` -> ``{"unit_price": "Price"}`` with clear errors.

    ``allowed`` are the canonical names the parameter maps, ``parameter`` and ``example`` word its errors.
    """
    out: dict[str, str] = {}
    for item in items:
        pieces = [p for p in item.split(",") if p.strip()]
        # "a=A,b=B" in one flag is two mappings; a comma inside a single column name is not.
        for part in pieces if len(pieces) > 1 and all("=" in p for p in pieces) else [item]:
            if "=" not in part:
                raise ShopmineInputError(
                    f"{{{parameter}}} {part!r} must look like CANONICAL=SOURCE, e.g. {{{parameter}}} {example}.",
                    parameter)
            canonical, source = (s.strip() for s in part.split("=", 1))
            if canonical not in allowed:
                raise ShopmineInputError(
                    f"{{{parameter}}} {part!r}: {canonical!r} is not a canonical column; use one of "
                    f"{', '.join(allowed)}.", parameter)
            if not source:
                raise ShopmineInputError(f"{{{parameter}}} {part!r}: give the export's column after '='.", parameter)
            out[canonical] = source
    return out


def parse_products_map_options(items: Iterable[str]) -> dict[str, str]:
    """``products_mapping`` values: like :func:`parse_map_options`, onto the products file's columns."""
    return parse_map_options(items, allowed=PRODUCT_COLUMNS, parameter="products_mapping", example="name=Title")


def _find(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    matches = [c for c in columns if _key(c) == _key(wanted)]
    return matches[0] if len(matches) == 1 else None


def _preset_hint(columns: list[str], template: str) -> str:
    """``template`` filled with the preset whose columns the file has (the first), or "" when none."""
    names = matching_presets(columns, _find)
    return template.format(" or ".join(names), names[0]) if names else ""


def resolve_mapping(
    columns: list[str],
    *,
    where: str,
    user_map: Mapping[str, str] | None = None,
    preset: Preset | None = None,
) -> dict[str, str]:
    """Return canonical name -> source column for one file, or raise naming what is missing."""
    user_map = dict(user_map or {})
    resolved: dict[str, str] = {}
    listing = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
    for canonical, source in user_map.items():
        found = _find(columns, source)
        if found is None:
            raise ShopmineInputError(
                f"{where}: {{mapping}} {canonical}={source} names a column the file does not have "
                f"(columns: {listing}).", "mapping"
            )
        resolved[canonical] = found
    if preset is not None:
        for canonical, source in preset.mapping.items():
            if canonical in resolved or (canonical == "unit_price" and "line_total" in resolved):
                continue
            names = spellings(source)
            found = next((f for f in (_find(columns, n) for n in names) if f is not None), None)
            if found is None and canonical not in preset.optional:
                expected = " or ".join(repr(n) for n in names)
                raise ShopmineInputError(
                    f"{where}: the file does not have column {expected} that {{preset}} {preset.name} "
                    f"expects for {canonical} (columns: {listing}); map it with {{mapping}} {canonical}=COLUMN"
                    + _preset_hint(columns, "; these columns match preset {}: use {{preset}} {} instead") + ".",
                    "preset", mentions=("mapping",)
                )
            if found is not None:
                resolved[canonical] = found
    used = set(resolved.values())
    for canonical in MAPPABLE:
        if canonical in resolved:
            continue
        found = _find(columns, canonical)
        if found is not None and found not in used:
            resolved[canonical] = found
            used.add(found)
    if "unit_price" in resolved and "line_total" in resolved:
        raise ShopmineInputError(
            f"{where}: both unit_price ({resolved['unit_price']}) and line_total ({resolved['line_total']}) "
            "are mapped; map only one."
        )
    missing = [c for c in REQUIRED if c not in resolved]
    if "unit_price" not in resolved and "line_total" not in resolved:
        missing.append("unit_price")
    if missing:
        hint = ""
        if len(columns) == 1 and any(d in columns[0] for d in ",;\t|"):
            hint = (f" The file was read as one column {columns[0]!r}: is the delimiter right? "
                    "Pass {delimiter}.")
        flags = " ".join(f"{{mapping}} {c}=COLUMN" for c in missing)
        extra = " (or {mapping} line_total=COLUMN for a line revenue)" if "unit_price" in missing else ""
        raise ShopmineInputError(
            f"{where}: required column(s) {', '.join(missing)} not found (columns: {listing}). "
            f"Map them with {flags}{extra}, or use {{preset}}."
            + _preset_hint(columns, " These columns match preset {}: use {{preset}} {}.") + hint,
            "mapping", mentions=("preset", "delimiter")
        )
    return resolved
