"""Ingestion: files -> canonical ``orders`` (+ quarantine) in the workspace's warehouse."""

from shopmine.ingest.batches import list_batches, remove_batch
from shopmine.ingest.options import IngestOptions
from shopmine.ingest.reports import FileReport, IngestReport
from shopmine.ingest.run import ingest

__all__ = ["FileReport", "IngestOptions", "IngestReport", "ingest", "list_batches", "remove_batch"]
