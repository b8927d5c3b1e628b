"""Data quality: what was loaded, what was quarantined and why, and what looks odd."""

from shopmine.quality.report import quality_report

__all__ = ["quality_report"]
