"""Simulated shops loaded the way a user loads an export, for the cluster tests."""

from __future__ import annotations

from shopmine.ingest import IngestOptions
from shopmine.shop import Shop
from shopmine.simulate import simulate_shop, write_shop
from shopmine.workspace import Workspace


def ingested_shop(root, **options):
    """``simulate_shop(**options)`` written as CSV under ``root / "shop"`` and ingested into ``root / "ws"``, as
    a user loads an export; returns the workspace folder and the simulated shop (its truth)."""
    simulated = simulate_shop(**options)
    paths = write_shop(simulated, root / "shop", format="csv")
    with Shop(Workspace(root / "ws")) as shop:
        shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                    customers=[paths["customers"]])
    return root / "ws", simulated
