"""The options of one ingest run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IngestOptions:
    """How to read and load the files of one ingest run.

    Parameters
    ----------
    preset : str, optional
        A known layout (``online_retail``, ``shopify``, ``transactions``).
    mapping : dict, optional
        Canonical name -> the export's column.
    products_mapping : dict, optional
        Canonical products column (``product_id, name, category, unit_cost, list_price``) -> the
        products file's column. Columns a products file lacks are an error.
    date_format : str, optional
        strftime format of the order date when it cannot be detected.
    timezone : str, default="UTC"
        The shop's local time zone for zone-aware timestamps.
    delimiter, encoding : str, optional
        CSV overrides; sniffed when missing.
    pseudonymize : bool, default=False
        Replace customer ids and personal data by keyed tokens.
    pii : list of str
        Extra columns to pseudonymise.
    drop_duplicates : bool, default=False
        Quarantine exact duplicate lines (they are always counted).
    earliest_order_date : datetime.date, default=1990-01-01
        Order dates before this day are quarantined as ``date_out_of_range``.
    future_order_days : int, default=1
        Order dates more than this many days after the ingest time are quarantined as
        ``date_out_of_range``.
    allow_reload : bool, default=False
        Load lines (and files) that were loaded before instead of quarantining them as
        ``duplicate_of_loaded_line`` (and skipping the files).
    """

    preset: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    products_mapping: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    timezone: str = "UTC"
    delimiter: str | None = None
    encoding: str | None = None
    pseudonymize: bool = False
    pii: tuple[str, ...] = ()
    drop_duplicates: bool = False
    earliest_order_date: dt.date = dt.date(1990, 1, 1)
    future_order_days: int = 1
    allow_reload: bool = False
