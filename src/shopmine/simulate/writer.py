"""``write_shop``: the simulated shop as files, each written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shopmine.atomic import atomic_path, atomic_write_text
from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.simulate.shop import SimulatedShop

FORMATS = ("csv", "parquet")
TRUTH_TABLES = ("truth_customers", "truth_products", "truth_orders", "truth_promotions",
                "truth_preferences", "truth_complements", "truth_segments")
CSV_BATCH_ROWS = 1 << 17


def _write_csv(table: pa.Table, path: Path) -> None:
    pacsv.write_csv(table, path, pacsv.WriteOptions(batch_size=CSV_BATCH_ROWS))


def _write_parquet(table: pa.Table, path: Path) -> None:
    # No pandas metadata and a fixed writer: the same table gives the same bytes.
    pq.write_table(table, path, compression="zstd", store_schema=False)


def write_shop(shop: SimulatedShop, output_dir: str | Path, format: str = "csv") -> dict[str, Path]:
    """Write the shop's tables and truth into ``output_dir`` (created when missing).

    ``orders``, ``products`` and ``customers`` are written as CSV or Parquet; the truth tables
    always as Parquet, and ``ground_truth.json``. Each file is written under a temporary name and
    renamed, so a failed run leaves no half-written file.

    Parameters
    ----------
    shop : SimulatedShop
        The result of :func:`simulate_shop`.
    output_dir : str or Path
        Target folder.
    format : {"csv", "parquet"}, default="csv"
        Format of the order, product and customer tables.

    Returns
    -------
    dict of str to Path
        Table name (``orders``, ..., ``ground_truth``) to the written file.
    """
    if format not in FORMATS:
        raise invalid_value("format", f"one of {', '.join(FORMATS)}", format)
    folder = Path(output_dir)
    if folder.exists() and not folder.is_dir():
        raise ShopmineInputError(f"output folder {folder} is a file; choose a folder path.")
    folder.mkdir(parents=True, exist_ok=True)

    written: dict[str, Path] = {}
    writer = _write_csv if format == "csv" else _write_parquet
    for name in ("orders", "products", "customers"):
        target = folder / f"{name}.{format}"
        with atomic_path(target) as tmp:
            writer(getattr(shop, name), tmp)
        written[name] = target
    for name in TRUTH_TABLES:
        target = folder / f"{name}.parquet"
        with atomic_path(target) as tmp:
            _write_parquet(getattr(shop, name), tmp)
        written[name] = target
    target = folder / "ground_truth.json"
    atomic_write_text(target, json.dumps(shop.ground_truth, indent=1, sort_keys=True) + "\n")
    written["ground_truth"] = target
    return written
