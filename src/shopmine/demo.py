"""The demo: simulate a shop, load it like a real export, run every analysis, write the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopmine.ingest import IngestOptions
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop, write_shop
from shopmine.workspace import Workspace


@dataclass
class DemoResult:
    shop_dir: Path
    workspace_dir: Path
    report_path: Path
    summary: str


def run_demo(output_dir: Path, *, n_customers: int = 5000, n_products: int = 500, n_days: int = 730,
             seed: int = 0, progress: Callable[[str], None] | None = None) -> DemoResult:
    """Write ``<output_dir>/shop`` (the simulated export), ``<output_dir>/workspace`` and
    ``<output_dir>/report.html``.

    Running it twice with the same seed loads nothing new (the files' content was loaded before).
    """
    say = progress or (lambda _msg: None)
    output_dir = Path(output_dir)
    say("simulating a shop")
    simulated = simulate_shop(n_customers=n_customers, n_products=n_products, n_days=n_days, seed=seed)
    paths = write_shop(simulated, output_dir / "shop", format="csv")
    shop = Shop(Workspace(output_dir / "workspace"))
    report = shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                         customers=[paths["customers"]], progress=say)
    say("building the feature tables and the report")
    report_path = shop.report(output_dir / "report.html", refresh=True)  # the demo runs every analysis
    s = simulated.summary
    summary = (f"simulated {s['lines']:,} order lines ({s['orders']:,} orders, {s['customers']:,} customers, "
               f"{s['products']:,} products); loaded {report.rows_loaded:,}, quarantined "
               f"{report.rows_quarantined:,}; as of {shop.as_of}.")
    return DemoResult(output_dir / "shop", output_dir / "workspace", report_path, summary)
