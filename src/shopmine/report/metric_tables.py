"""A result's metrics as a reader takes them in: key figures, small tables, and notes in words.

A flat list of every metric ran to 56 rows (a risk run: ``scorecard_auc, scorecard_ks, ...,
challenger_auc, challenger_ks, ...``) and hid the comparison it holds. Here the same values are laid out
as the reader compares them:

- metrics that share a family of names across two or more prefixes (``tree_auc, lgbm_auc, tree_f1,
  lgbm_f1``) become one table, a row per prefix and a column per measure;
- a nested mapping of values (``nulls: {column: count}``) becomes a two-column table under its name, a
  mapping of such mappings (``outliers: {quantity: {low, high}}``) a table with a row per key, and
  consecutive mappings with the same fields (``naive: {mae, rmse}, lgbm: {mae, rmse}``) one table with a
  row per mapping;
- long or multi-line text (tree rules, label rules, notes) is shown as text under the figures;
- everything else is a key figure.

Every value is formatted by :func:`shopmine.report.format.format_metric` with its own key. A table keyed
by the shop's column names (``nulls``) measures those columns: its cells are not money because a column
is called ``unit_price`` or ``customer_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shopmine.report.format import AMOUNT_KEYS, format_metric
from shopmine.schema import ORDER_COLUMN_NAMES

__all__ = ["MetricLayout", "MetricTable", "metric_layout"]

#: Text longer than this (or with a line break) reads better as a paragraph than as a table cell.
LONG_TEXT = 90
#: A family of names must share at least this many measures to become a table.
MIN_SHARED_MEASURES = 2


@dataclass(frozen=True)
class MetricTable:
    """A small table: ``columns`` heads the cells (empty for a two-column table of labelled values)."""

    title: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class MetricLayout:
    """What :func:`metric_layout` returns: key figures, tables and notes, each in the metrics' order."""

    figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[MetricTable] = field(default_factory=list)
    notes: list[tuple[str, list[str]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.figures or self.tables or self.notes)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (Mapping, list, tuple))


def _is_long_text(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" in value or len(value) > LONG_TEXT
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return sum(len(v) for v in value) > LONG_TEXT
    return False


def _prefix_families(keys: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """``{first key of the family: (prefixes, shared measures)}`` for names ``prefix_measure``.

    A prefix is the text before the first underscore; a family is two or more prefixes that share at least
    :data:`MIN_SHARED_MEASURES` measures (the measures shared by every prefix of the family).
    """
    measures: dict[str, list[str]] = {}
    for key in keys:
        prefix, sep, measure = key.partition("_")
        if sep and measure:
            measures.setdefault(prefix, []).append(measure)
    families: dict[str, tuple[list[str], list[str]]] = {}
    grouped: set[str] = set()
    prefixes = list(measures)
    for i, prefix in enumerate(prefixes):
        if prefix in grouped:
            continue
        members = [prefix]
        shared = list(measures[prefix])
        for other in prefixes[i + 1:]:
            common = [m for m in shared if m in measures[other]]
            if other not in grouped and len(common) >= MIN_SHARED_MEASURES:
                members.append(other)
                shared = common
        if len(members) > 1:
            grouped.update(members)
            first = next(k for k in keys if k.partition("_")[0] in members and k.partition("_")[2] in shared)
            families[first] = (members, shared)
    return families


def _record_runs(keys: list[str], values: list[Any]) -> dict[str, list[str]]:
    """``{first key: keys}`` for runs of consecutive metrics that are records with the same fields.

    A forecast run saves ``naive: {mae, rmse, ...}, lgbm: {mae, rmse, ...}``: one table with a row per model
    reads as the comparison it is, where a table per model does not.
    """
    def fields(value: Any) -> tuple[str, ...] | None:
        if isinstance(value, Mapping) and value and all(_is_scalar(v) for v in value.values()):
            names = tuple(str(k) for k in value)
            return None if set(names) & set(ORDER_COLUMN_NAMES) else names
        return None

    runs: dict[str, list[str]] = {}
    i = 0
    while i < len(keys):
        shape = fields(values[i])
        j = i + 1
        while shape is not None and j < len(keys) and fields(values[j]) == shape:
            j += 1
        if j - i > 1:
            runs[keys[i]] = keys[i:j]
        i = j
    return runs


def _leaf_rows(prefix: tuple[str, ...], value: Any, currency: str | None,
               amounts: frozenset[str]) -> list[tuple[str, str]]:
    if isinstance(value, Mapping) and value:
        rows: list[tuple[str, str]] = []
        for key, sub in value.items():
            rows.extend(_leaf_rows((*prefix, str(key)), sub, currency, amounts))
        return rows
    leaf = prefix[-1] if prefix else None
    return [(" › ".join(prefix), format_metric(value, leaf, currency, amounts))]


def _mapping_table(name: str, value: Mapping, currency: str | None) -> MetricTable:
    keys = [str(k) for k in value]
    inner = list(value.values())
    if set(keys) & set(ORDER_COLUMN_NAMES) and all(_is_scalar(v) for v in inner):
        # Keyed by the shop's columns (nulls per column): each cell is the table's measure of a column,
        # formatted by the table's name, not as the column's own values (money, ids).
        return MetricTable(title=name, columns=[], rows=[(k, [format_metric(v, name, currency)])
                                                         for k, v in zip(keys, inner)])
    amounts = AMOUNT_KEYS
    if all(isinstance(v, Mapping) and v and all(_is_scalar(x) for x in v.values()) for v in inner):
        columns: list[str] = []
        for v in inner:
            columns.extend(str(c) for c in v if str(c) not in columns)
        rows = [(k, [format_metric(v.get(c), c, currency, amounts) if c in v else "" for c in columns])
                for k, v in zip(keys, inner)]
        return MetricTable(title=name, columns=columns, rows=rows)
    rows = [(label, [text]) for label, text in _leaf_rows((), value, currency, amounts)]
    return MetricTable(title=name, columns=[], rows=rows)


def metric_layout(metrics: Mapping[str, Any], currency: str | None = None) -> MetricLayout:
    """Lay a result's metrics out as key figures, small tables and notes (see the module docstring).

    Parameters
    ----------
    metrics : mapping
        The result's metrics, as saved.
    currency : str, optional
        The shop's currency, for the money metrics (:data:`~shopmine.report.format.AMOUNT_KEYS`).

    Returns
    -------
    MetricLayout

    Examples
    --------
    >>> layout = metric_layout({"rows": 1200, "tree_auc": 0.7, "lgbm_auc": 0.72, "tree_f1": 0.6,
    ...                         "lgbm_f1": 0.65, "nulls": {"customer_id": 3}})
    >>> layout.figures
    [('rows', '1,200')]
    >>> [(t.title, t.columns, t.rows) for t in layout.tables]
    [('tree / lgbm', ['auc', 'f1'], [('tree', ['0.7', '0.6']), ('lgbm', ['0.72', '0.65'])]), ('nulls', [], [('customer_id', ['3'])])]
    """
    keys = [str(k) for k in metrics]
    families = _prefix_families([k for k, v in zip(keys, metrics.values()) if _is_scalar(v)])
    in_family = {f"{p}_{m}" for prefixes, shared in families.values() for p in prefixes for m in shared}
    runs = _record_runs(keys, list(metrics.values()))
    in_run = {k for members in runs.values() for k in members}
    layout = MetricLayout()
    for key, value in zip(keys, metrics.values()):
        if key in runs:
            members = runs[key]
            columns = [str(c) for c in metrics[key]]
            rows = [(m, [format_metric(metrics[m][c], c, currency) for c in metrics[m]]) for m in members]
            title = " / ".join(members) if len(members) <= 3 else f"{members[0]} … {members[-1]}"
            layout.tables.append(MetricTable(title=title, columns=columns, rows=rows))
        elif key in in_run:
            continue
        elif key in families:
            prefixes, shared = families[key]
            rows = [(p, [format_metric(metrics[f"{p}_{m}"], f"{p}_{m}", currency) for m in shared])
                    for p in prefixes]
            layout.tables.append(MetricTable(title=" / ".join(prefixes), columns=shared, rows=rows))
        elif key in in_family:
            continue
        elif isinstance(value, Mapping) and value:
            layout.tables.append(_mapping_table(key, value, currency))
        elif _is_long_text(value):
            paragraphs = [value] if isinstance(value, str) else list(value)
            layout.notes.append((key, paragraphs))
        else:
            layout.figures.append((key, format_metric(value, key, currency)))
    return layout
