"""A string from an order file is printed as it is, never read as Rich markup: ``[/]`` in a product
name crashed every CLI table that showed it, and ``[link=...]`` became a terminal hyperlink."""

from __future__ import annotations

import pandas as pd

from shopmine.cli.app import main

# Short enough not to wrap in a table cell at 120 columns.
MARKUP_NAME = "[/][link=u]y[b]"


def test_a_product_name_that_is_rich_markup_is_printed_verbatim(tmp_path, capsys):
    ws = tmp_path / "ws"
    # P1's usual line is 2 units; the 500-unit line is a bulk line, listed by quality with its name.
    rows = [(f"o{i}", f"c{i % 3}", "P1", MARKUP_NAME, f"2024-01-{1 + i:02d} 10:00", 500 if i == 9 else 2, 1.0)
            for i in range(10)]
    csv = tmp_path / "orders.csv"
    pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "name", "ordered_at", "quantity",
                                "unit_price"]).to_csv(csv, index=False)
    assert main(["-w", str(ws), "ingest", str(csv)]) == 0
    capsys.readouterr()

    assert main(["-w", str(ws), "quality"]) == 0
    out = capsys.readouterr().out
    assert "largest bulk lines" in out
    assert out.count(MARKUP_NAME) == 1

    assert main(["-w", str(ws), "forecast", "--model", "window_average", "--backtest", "1", "--horizon", "3"]) == 0
    out = capsys.readouterr().out
    assert MARKUP_NAME in out
