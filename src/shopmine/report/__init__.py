"""The HTML report and per-run output folders: shells that render :class:`AnalysisResult`.

- :func:`render_report` writes one self-contained offline HTML file with a section per result.
- :func:`write_result_folder` writes one run as ``index.html``, ``metrics.json``, CSVs, figures.
- The plotting helpers with the report's look live in :mod:`shopmine.figures`, outside this package, so that
  analyses draw figures without importing the renderer.
"""

from shopmine.report.folder import write_result_folder
from shopmine.report.render import render_html, render_report

__all__ = ["render_html", "render_report", "write_result_folder"]
