"""The quality report tells matched cancellations from returns (shopmine.quality.returns)."""

from __future__ import annotations

import pytest

from shopmine.quality import quality_report
from shopmine.shop import Shop
from shopmine.workspace import Workspace

# Ten product lines and one shipping line (never counted):
#   o1 / C1   c1 sells 5 A, cancelled whole 20 minutes later: a cancellation.
#   r1        c2 sends back a B they never bought (no status, no sale in its order): a return.
#   o3 / C2   c2's cancellation invoice 67 days after the sale, beyond the 30-day window: a return.
#   o4 / C3   c3 buys 4 B, a cancellation of 6 the next day: 4 matched (cancellation), 2 left (return).
#   o5        a positive line with status returned: a return.
#   o6        a positive line with status cancelled (never filled): a cancellation.
#   o2        a plain sale.
LOG = """order_id,customer_id,product_id,ordered_at,quantity,unit_price,status,line_type
o1,c1,A,2021-01-04 10:00,5,2.0,,product
C1,c1,A,2021-01-04 10:20,-5,2.0,cancelled,product
o2,c1,B,2021-01-05 10:00,3,4.0,,product
o2,c1,POST,2021-01-05 10:00,1,6.0,,shipping
r1,c2,B,2021-01-06 10:00,-1,4.0,,product
o3,c2,A,2021-01-02 09:00,2,2.0,,product
C2,c2,A,2021-03-10 09:00,-2,2.0,cancelled,product
o4,c3,B,2021-01-07 10:00,4,4.0,,product
C3,c3,B,2021-01-08 10:00,-6,4.0,cancelled,product
o5,c3,A,2021-01-09 10:00,1,2.0,returned,product
o6,c4,A,2021-01-09 11:00,1,2.0,cancelled,product
"""


@pytest.fixture
def shop(tmp_path):
    (tmp_path / "log.csv").write_text(LOG)
    shop = Shop(Workspace(tmp_path / "ws"))
    report = shop.ingest([tmp_path / "log.csv"])
    assert report.rows_loaded == 11
    return shop


def test_matched_cancellations_and_returns_are_counted_apart(shop):
    m = shop.quality().metrics
    # Cancellations C1, C3 (in part), o6: 3 of 10 product lines; returns r1, C2, C3 (the rest), o5: 4.
    assert (m["cancellation_lines"], m["return_lines"]) == (3, 4)
    assert m["cancellations_share"] == pytest.approx(3 / 10)
    assert m["returns_share"] == pytest.approx(4 / 10)
    # By status alone both shares were 4/10 (C1, C2, C3, o6 cancelled; C1, r1, C2, C3 negative).


def test_the_cancel_window_decides_what_is_a_return(shop):
    # With 90 days C2 (67 days after its sale) cancels it: 4 cancellations, 3 returns.
    m = quality_report(shop.workspace.warehouse(), cancel_window_days=90).metrics
    assert (m["cancellation_lines"], m["return_lines"]) == (4, 3)
    assert (m["cancellations_share"], m["returns_share"]) == (pytest.approx(0.4), pytest.approx(0.3))


def test_the_quality_command_prints_the_shares_for_people(tmp_path, capsys):
    from shopmine.cli.app import main

    (tmp_path / "log.csv").write_text(LOG)
    assert main(["--workspace", str(tmp_path / "ws"), "ingest", str(tmp_path / "log.csv")]) == 0
    assert main(["--workspace", str(tmp_path / "ws"), "quality"]) == 0
    out = capsys.readouterr().out
    assert "3 cancellation lines (30.0% of product lines" in out and "4 return lines (40.0%" in out
    assert "30.0 %" in out and "40.0 %" in out  # cancellations_share, returns_share in the table
