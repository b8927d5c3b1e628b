"""Where the benchmarks read the real data sets: ``--data-dir DIR``, else ``$SHOPMINE_DATA``, else
``../shared/data`` beside the repository (never an absolute path of one machine)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def data_dir(argv: list[str] | None = None) -> Path:
    """The data folder from ``--data-dir`` in ``argv`` (default ``sys.argv``), the environment or the default.

    The script's other options are left to its own parser (``parse_known_args``).
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir", type=Path, default=None)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if known.data_dir is not None:
        return known.data_dir.expanduser().resolve()
    override = os.environ.get("SHOPMINE_DATA")
    return Path(override).expanduser().resolve() if override else REPO.parent / "shared" / "data"


def add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    """Declare ``--data-dir`` on a script's own parser, so that it accepts (and documents) it."""
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder of the real data sets (default: $SHOPMINE_DATA, else ../shared/data)")


def add_simulated_shop_options(parser: argparse.ArgumentParser) -> None:
    """``--customers --products --days --seed`` of the simulated shop a benchmark builds (the demo's size)."""
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=0)
