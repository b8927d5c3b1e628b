"""Every CLI table goes through print_frame: the shop's text in it never carries a terminal control code."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from shopmine.cli.output import print_frame


def test_control_codes_in_cells_and_column_names_never_reach_the_terminal():
    out = io.StringIO()
    console = Console(file=out, markup=False, highlight=False, color_system=None, width=200)
    frame = pd.DataFrame({"product_id": ["P\x1b[2J1"], "name\u202e": ["RED\nBAG [bold]x[/]"], "units": [3]})
    print_frame(console, frame, "Products")
    text = out.getvalue()
    assert "\x1b" not in text and "\u202e" not in text
    assert "P [2J1" in text and "RED BAG [bold]x[/]" in text and "name" in text
