"""The demo: simulate a shop, load it like a real export, run every analysis, write the report.

The work is :meth:`shopmine.shop.Shop.demo`; this module keeps the paths-as-attributes form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shopmine.shop import Shop


@dataclass
class DemoResult:
    shop_dir: Path
    workspace_dir: Path
    report_path: Path
    summary: str


def run_demo(output_dir: Path, **options) -> DemoResult:
    """Write ``<output_dir>/shop`` (the simulated export), the workspace (``workspace``, default
    ``<output_dir>/workspace``) and ``<output_dir>/report.html``: :meth:`Shop.demo` with the same keyword
    options and defaults, its paths as attributes.

    Running it twice with the same seed loads nothing new (the files' content was loaded before).
    """
    result = Shop.demo(output_dir, **options)
    m = result.metrics
    return DemoResult(Path(m["shop_dir"]), Path(m["workspace_dir"]), Path(m["report_path"]), result.summary)
