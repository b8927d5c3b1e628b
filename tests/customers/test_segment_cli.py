"""``shopmine segment`` driven in-process: output contract, artefact folder, exit codes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest

from shopmine.cli.app import main
from shopmine.customers import OUTPUT_COLUMNS



def test_segment_command_writes_the_contract(demo_shop, tmp_path, capsys):
    out_file = tmp_path / "segments.csv"
    code = main(["--workspace", str(demo_shop.workspace_dir), "segment", "--k", "4", "--seed", "1",
                 "--output", str(out_file), "--output-dir", str(tmp_path / "art")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "RFM segments" in printed and "Champions" in printed and "Cluster 3" in printed
    frame = pd.read_csv(out_file, dtype={"customer_id": str})
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert sorted(frame["cluster"].unique()) == [0, 1, 2, 3]
    assert (tmp_path / "art" / "index.html").exists() and (tmp_path / "art" / "metrics.json").exists()


def test_segment_command_bad_k(demo_shop, capsys):
    code = main(["--workspace", str(demo_shop.workspace_dir), "segment", "--k", "1"])
    assert code == 2
    assert "--k must be an integer of at least 2" in capsys.readouterr().err


def test_segment_command_bad_output(demo_shop, tmp_path, capsys):
    code = main(["--workspace", str(demo_shop.workspace_dir), "segment", "--output", str(tmp_path / "x.txt")])
    assert code == 2
    assert "--output" in capsys.readouterr().err


def test_report_has_a_segments_section(demo_shop):
    html = Path(demo_shop.report_path).read_text()
    assert "Customer segments (RFM and behaviour clusters)" in html


@pytest.mark.skipif("SHOPMINE_ONLINE_RETAIL" not in os.environ,
                    reason="slow: set SHOPMINE_ONLINE_RETAIL=1 to segment all Online Retail customers")
def test_online_retail_all_customers(tmp_path, capsys, online_retail_workspace):
    ws = str(online_retail_workspace())
    started = time.perf_counter()
    code = main(["--workspace", ws, "segment", "--output", str(tmp_path / "seg.parquet")])
    elapsed = time.perf_counter() - started
    assert code == 0, capsys.readouterr().err
    frame = pd.read_parquet(tmp_path / "seg.parquet")
    assert len(frame) > 4000 and frame["customer_id"].is_unique
    print(f"segmented {len(frame):,} Online Retail customers in {elapsed:.1f} s")


def test_segment_output_lists_the_most_valuable_customers_first(demo_shop, tmp_path, capsys):
    from shopmine.cli.app import main

    out = tmp_path / "seg.csv"
    assert main(["-w", str(demo_shop.workspace_dir), "segment", "--output", str(out)]) == 0
    capsys.readouterr()
    import pandas as pd

    frame = pd.read_csv(out, dtype={"customer_id": str})
    assert frame["monetary"].is_monotonic_decreasing
