"""What an ingest reports: per file and for the whole batch (rows in = loaded + quarantined)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["FileReport", "IngestReport"]


@dataclass
class FileReport:
    path: str
    kind: str  # orders | products | customers
    status: str  # loaded | skipped (content already loaded)
    sha256: str
    rows_in: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_rows: int = 0
    date_layout: str | None = None
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    pseudonymized_columns: dict[str, str] = field(default_factory=dict)  # source column -> why
    #: A skipped file: the batch that loaded its content, and when (UTC; None: earlier in this batch).
    loaded_batch: str | None = None
    loaded_at: dt.datetime | None = None


@dataclass
class IngestReport:
    batch_id: str
    files: list[FileReport]

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.files if f.kind == "orders")

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.kind == "orders")

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files if f.kind == "orders")
