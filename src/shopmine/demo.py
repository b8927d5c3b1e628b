"""The demo: simulate a shop, load it like a real export, run every analysis, write the report.

The work is :meth:`shopmine.shop.Shop.demo`; this module keeps the paths-as-attributes form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopmine.shop import Shop


@dataclass
class DemoResult:
    shop_dir: Path
    workspace_dir: Path
    report_path: Path
    summary: str


def run_demo(output_dir: Path, *, n_customers: int = 5000, n_products: int = 500, n_days: int = 730,
             seed: int = 0, workspace: Path | None = None, settings: dict | None = None,
             progress: Callable[[str], None] | None = None) -> DemoResult:
    """Write ``<output_dir>/shop`` (the simulated export), the workspace (``workspace``, default
    ``<output_dir>/workspace``) and ``<output_dir>/report.html`` (:meth:`Shop.demo`).

    Running it twice with the same seed loads nothing new (the files' content was loaded before).
    """
    result = Shop.demo(output_dir, n_customers=n_customers, n_products=n_products, n_days=n_days, seed=seed,
                       workspace=workspace, settings=settings, progress=progress)
    m = result.metrics
    return DemoResult(Path(m["shop_dir"]), Path(m["workspace_dir"]), Path(m["report_path"]), result.summary)
