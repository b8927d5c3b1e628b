"""``write_shop_in_shards``: a shop too big for memory, simulated and written one customer shard at a time.

The simulator holds a whole shop as arrays (about 0.3 GB per million order lines at its peak), so
100 million lines would need about 30 GB. Shards of one seed share the catalogue and its daily
prices (the same product ids, names, categories and price grid) and split the customers; each
shard is simulated, written to its own folder and released before the next one starts, so the
peak is one shard's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from shopmine.errors import invalid_value
from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.shop import simulate_from
from shopmine.simulate.writer import write_shop

MAX_SHARDS = 999  # the `shard` parameter's range


def shard_sizes(n_customers: int, n_shards: int) -> list[int]:
    """Customers per shard: as equal as possible, the first shards one larger when it does not divide."""
    base, extra = divmod(n_customers, n_shards)
    return [base + (s < extra) for s in range(n_shards)]


def write_shop_in_shards(parameters: ShopParameters, n_shards: int, output_dir: str | Path,
                         format: str = "csv",
                         on_shard: Callable[[int, dict], None] | None = None) -> list[dict[str, Path]]:
    """Simulate ``parameters``' shop in ``n_shards`` customer shards, one in memory at a time.

    Shard ``s`` gets ``n_customers / n_shards`` of the customers (the remainder to the first
    shards) and is written by :func:`write_shop` into ``output_dir/shard-SSS``. Every shard's
    ``products`` file is the same; ids of customers and orders carry the shard (``C01-000001``).

    Parameters
    ----------
    parameters : ShopParameters
        The whole shop; its ``shard`` is ignored.
    n_shards : int
        Number of shards, in [1, min(999, n_customers)].
    output_dir : str or Path
        Folder of the shard folders (created when missing).
    format : {"csv", "parquet"}, default="csv"
        Format of the order, product and customer tables.
    on_shard : callable, optional
        Called as ``on_shard(shard, summary)`` after each shard is written (the CLI prints it).

    Returns
    -------
    list of dict of str to Path
        Per shard, what :func:`write_shop` returned.
    """
    limit = min(MAX_SHARDS, parameters.n_customers)
    if isinstance(n_shards, bool) or not isinstance(n_shards, int) or not 1 <= n_shards <= limit:
        raise invalid_value("n_shards", f"an int in [1, {limit}] (at most one shard per customer)",
                            n_shards)
    folder = Path(output_dir)
    written = []
    for shard, size in enumerate(shard_sizes(parameters.n_customers, n_shards)):
        shop = simulate_from(dataclasses.replace(parameters, n_customers=size, shard=shard))
        written.append(write_shop(shop, folder / f"shard-{shard:03d}", format=format))
        summary = shop.summary
        del shop  # release this shard's tables before the next one is drawn
        if on_shard is not None:
            on_shard(shard, summary)
    return written
