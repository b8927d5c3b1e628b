"""Date layouts are detected from the whole column; zone-aware times are converted to the shop's zone."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.io.dates import DateLayout, detect_layout, parse_sql


def layout_of(values: list[str]) -> DateLayout:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (d VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    return detect_layout(con, "t", "d", where="t.csv, column 'd'")


def parse(values: list[str], layout: DateLayout, tz: str = "UTC") -> list:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t (d VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    return [r[0] for r in con.execute(f"SELECT {parse_sql('d', layout, tz)} FROM t").fetchall()]


@pytest.mark.parametrize(("values", "kind"), [
    (["2011-12-01 08:26:00", "2011-12-09"], "iso"),
    (["2024-01-05T10:15:23+01:00", "2024-01-05 10:15:23 +0100"], "iso"),
    (["12/1/2010 8:26", "1/13/2011 10:00"], "mdy"),  # second field 13: month first
    (["13/1/2011", "1/2/2011"], "dmy"),  # first field 13: day first
    (["24.12.2023", "1.2.2024 10:00"], "dmy_dot"),
    (["1700000000", "1700086400"], "epoch"),
    (["1700000000000"], "epoch_ms"),
])
def test_layout_detected_from_the_whole_column(values, kind):
    assert layout_of(values).kind == kind


def test_slash_dates_decided_by_a_single_late_value():
    values = [f"{m}/{d}/2011" for m in range(1, 13) for d in range(1, 13)] + ["2/28/2011"]
    assert layout_of(values).kind == "mdy"


@pytest.mark.parametrize(("values", "why"), [
    (["01/02/2024", "03/04/2024"], "cannot be told apart"),
    (["13/02/2024", "02/13/2024"], "both fields go above 12"),
])
def test_undecidable_columns_ask_for_a_format(values, why):
    with pytest.raises(ShopmineInputError, match=f"{why}.*date_format '%m/%d/%Y'"):
        layout_of(values)


def test_unrecognisable_column_asks_for_a_format():
    with pytest.raises(ShopmineInputError, match="cannot recognise the dates.*date_format"):
        layout_of(["yesterday", "last week"])


def test_parsing_each_layout():
    assert parse(["12/1/2010 8:26", "1/13/2011"], DateLayout("mdy")) == [
        pd.Timestamp("2010-12-01 08:26"), pd.Timestamp("2011-01-13")]
    assert parse(["13/1/2011 23:59:59"], DateLayout("dmy")) == [pd.Timestamp("2011-01-13 23:59:59")]
    assert parse(["24.12.2023 18:30"], DateLayout("dmy_dot")) == [pd.Timestamp("2023-12-24 18:30")]
    assert parse(["1700000000"], DateLayout("epoch")) == [pd.Timestamp("2023-11-14 22:13:20")]


def test_aware_timestamps_are_converted_to_the_shop_zone_and_stored_naive():
    values = ["2024-01-05T10:15:23+01:00", "2024-07-05 10:15:23 +0100", "2024-07-05T08:00:00Z",
              "2024-07-05 12:00:00", "2024-01-05"]
    got = parse(values, DateLayout("iso"), tz="Europe/London")
    assert got == [
        pd.Timestamp("2024-01-05 09:15:23"),  # GMT in winter
        pd.Timestamp("2024-07-05 10:15:23"),  # BST (UTC+1) in summer: 09:15 UTC
        pd.Timestamp("2024-07-05 09:00:00"),
        pd.Timestamp("2024-07-05 12:00:00"),  # naive: already local time
        pd.Timestamp("2024-01-05 00:00:00"),  # a date ending in -05 is not a zone offset
    ]
    assert parse(["1700000000"], DateLayout("epoch"), tz="Asia/Tokyo") == [pd.Timestamp("2023-11-15 07:13:20")]


def test_explicit_format_with_zone():
    got = parse(["05-01-2024 10:15 +0100"], DateLayout("format", "%d-%m-%Y %H:%M %z"), tz="UTC")
    assert got == [pd.Timestamp("2024-01-05 09:15")]


def _file_with_dates(path, dates):
    lines = ["order_id,customer_id,product_id,ordered_at,quantity,unit_price"]
    lines += [f"{i},c,p,{d},1,2" for i, d in enumerate(dates)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_late_day_above_12_decides_day_first_for_the_whole_file(ws, tmp_path):
    from shopmine.ingest import ingest

    dates = [f"{d}/{m}/2020" for m in range(1, 13) for d in range(1, 13)] * 400  # 57,600 ambiguous rows
    path = _file_with_dates(tmp_path / "o.csv", dates + ["25/12/2020"])
    report = ingest(ws, [path])
    assert report.files[0].date_layout == "D/M/YYYY" and report.rows_quarantined == 0
    assert ws.warehouse().con.execute("SELECT max(ordered_at) FROM orders").fetchone()[0] == pd.Timestamp("2020-12-25")


def test_the_majority_layout_of_the_whole_column_wins_over_the_first_rows(ws, tmp_path):
    from shopmine.ingest import ingest

    iso = ["2020-01-02 10:00:00"] * 50_000
    epoch = ["1600000000"] * 60_000
    report = ingest(ws, [_file_with_dates(tmp_path / "o.csv", iso + epoch)])
    assert report.files[0].date_layout == "epoch seconds"
    assert report.rows_loaded == 60_000 and report.files[0].quarantined_by_reason == {"unparseable_date": 50_000}
