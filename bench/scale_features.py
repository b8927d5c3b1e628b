"""One step of bench/scale.py: both feature tables of a workspace through the Shop API, on the engine
that ``SHOPMINE_ENGINE`` names, with their sizes and sums written as JSON (so the engines can be compared).

Run: ``python bench/scale_features.py WORKSPACE OUT.json``.
"""

from __future__ import annotations

import json
import sys
import time

from shopmine.shop import Shop


def main(workspace: str, output: str) -> None:
    out = {}
    with Shop(workspace) as shop:
        start = time.perf_counter()
        panel = shop.panel().tables["panel"]
        out["panel_s"] = time.perf_counter() - start
        out["panel_rows"] = len(panel)
        out["panel_units"] = float(panel["units"].sum())
        del panel
        start = time.perf_counter()
        customers = shop.customers().tables["customers"]
        out["customers_s"] = time.perf_counter() - start
        out["customers"] = len(customers)
        out["monetary"] = float(customers["monetary"].sum())
    with open(output, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(*sys.argv[1:3])
