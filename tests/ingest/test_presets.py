"""Presets: UCI Online Retail and a Shopify order export."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.ingest import IngestOptions, ingest

UCI = ("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
       "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
       "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
       "C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527.0,United Kingdom\n"
       "C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,12/1/2010 9:49,4.65,15311.0,United Kingdom\n"
       "A563185,B,Adjust bad debt,1,8/12/2011 14:50,11062.06,,United Kingdom\n"
       "536414,22139,,56,12/1/2010 11:52,0,,United Kingdom\n"
       "536370,POST,POSTAGE,3,12/13/2010 8:45,18,12583.0,France\n")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_online_retail_preset(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "uci.csv", UCI)], options=IngestOptions(preset="online_retail"))
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (7, 6, 1)
    assert report.files[0].duplicate_rows == 1  # counted, kept without --drop-duplicates
    df = ws.warehouse().con.execute("SELECT * FROM orders ORDER BY source_file, source_line").df()
    assert df["status"].tolist() == ["completed", "completed", "cancelled", "cancelled", "completed", "completed"]
    assert df["line_type"].tolist() == ["product", "product", "discount", "product", "adjustment", "shipping"]
    assert df["quantity"].tolist() == [6, 6, -1, -1, 1, 3]
    assert df["customer_id"].tolist()[:4] == ["17850", "17850", "14527", "15311"]
    assert df["ordered_at"][0] == pd.Timestamp("2010-12-01 08:26")
    assert df["name"][0] == "WHITE HANGING HEART T-LIGHT HOLDER"
    reason = ws.warehouse().con.execute("SELECT source_line, reason FROM quarantine").fetchall()
    assert reason == [(7, "non_positive_price")]


def test_drop_duplicates_quarantines_the_copies(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "uci.csv", UCI)],
                    options=IngestOptions(preset="online_retail", drop_duplicates=True))
    assert report.files[0].quarantined_by_reason == {"duplicate_line": 1, "non_positive_price": 1}
    assert ws.warehouse().con.execute(
        "SELECT source_line FROM quarantine WHERE reason = 'duplicate_line'").fetchall() == [(3,)]


SHOPIFY = (
    "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
    "Lineitem compare at price,Lineitem sku,Lineitem discount,Currency,Billing Country,Payment Method,"
    "Cancelled at,Source\n"
    "#1001,anna@example.com,paid,2024-03-01 10:00:00 +0100,2,Blue mug,12.00,15.00,MUG-B,6.00,EUR,DE,"
    "Shopify Payments,,web\n"
    "#1001,,,,1,Tea towel,8.00,,TOWEL,0,,,,,\n"
    "#1002,bob@example.com,refunded,2024-03-02 18:30:00 +0100,1,Gift card,25.00,,,0,EUR,AT,PayPal,,web\n"
    "#1003,carl@example.com,paid,2024-03-03 09:00:00 +0100,1,Blue mug,15.00,,MUG-B,0,EUR,DE,PayPal,"
    "2024-03-03 12:00:00 +0100,web\n"
)


def test_shopify_preset_fills_order_level_fields(ws, tmp_path):
    report = ingest(ws, [write(tmp_path / "orders_export.csv", SHOPIFY)],
                    options=IngestOptions(preset="shopify", timezone="Europe/Berlin"))
    assert report.rows_loaded == 4
    df = ws.warehouse().con.execute("SELECT * FROM orders ORDER BY source_file, source_line").df()
    assert df["order_id"].tolist() == ["#1001", "#1001", "#1002", "#1003"]
    assert df["customer_id"].tolist() == ["anna@example.com", "anna@example.com", "bob@example.com",
                                          "carl@example.com"]
    assert df["ordered_at"].tolist()[:2] == [pd.Timestamp("2024-03-01 10:00")] * 2
    assert df["product_id"].tolist() == ["MUG-B", "TOWEL", "Gift card", "MUG-B"]  # name when no SKU
    assert df["status"].tolist() == ["completed", "completed", "refunded", "cancelled"]
    assert df["list_price"].tolist()[0] == 15.0 and df["discount"].tolist()[0] == 6.0
    assert df["currency"].tolist() == ["EUR"] * 4 and df["country"].tolist()[1] == "DE"


UCI_II = ("Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
          "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085.0,United Kingdom\n"
          "C489449,22087,PAPER BUNTING WHITE LACE,-12,2009-12-01 10:33:00,2.95,16321.0,Australia\n"
          "489436,POST,POSTAGE,1,2009-12-01 09:06:00,18.0,13078.0,United Kingdom\n")


def test_online_retail_preset_reads_the_online_retail_ii_spelling(ws, tmp_path):
    # Online Retail II renamed InvoiceNo -> Invoice, UnitPrice -> Price, CustomerID -> Customer ID.
    report = ingest(ws, [write(tmp_path / "uci2.csv", UCI_II)], options=IngestOptions(preset="online_retail"))
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    df = ws.warehouse().con.execute("SELECT * FROM orders ORDER BY source_line").df()
    assert df["status"].tolist() == ["completed", "cancelled", "completed"]
    assert df["quantity"].tolist() == [12, -12, 1]
    assert df["unit_price"].tolist() == [6.95, 2.95, 18.0]
    assert df["customer_id"].tolist() == ["13085", "16321", "13078"]
    assert df["line_type"].tolist() == ["product", "product", "shipping"]


def test_online_retail_preset_names_every_spelling_it_looked_for(ws, tmp_path):
    path = write(tmp_path / "no_invoice.csv", UCI_II.replace("Invoice,", "Bill,", 1))
    with pytest.raises(ShopmineInputError, match=r"no_invoice\.csv: the file does not have column 'InvoiceNo' or "
                                                 r"'Invoice' that preset online_retail expects for order_id"):
        ingest(ws, [path], options=IngestOptions(preset="online_retail"))


def test_a_wrong_preset_suggests_the_preset_the_columns_match(ws, tmp_path):
    uci = write(tmp_path / "uci.csv", UCI)
    as_cli = {"mapping": "--map", "preset": "--preset"}  # how the CLI names the parameters (cli/options.py)
    with pytest.raises(ShopmineInputError) as shopify:
        ingest(ws, [uci], options=IngestOptions(preset="shopify"))
    assert str(shopify.value).endswith("map it with mapping order_id=COLUMN; these columns match preset "
                                       "online_retail: use preset online_retail instead.")
    assert shopify.value.render(lambda name: as_cli.get(name, name)).endswith(
        "map it with --map order_id=COLUMN; these columns match preset online_retail: use --preset online_retail "
        "instead.")
    shop_export = write(tmp_path / "orders_export.csv", SHOPIFY)
    with pytest.raises(ShopmineInputError, match="these columns match preset shopify: use preset shopify instead"):
        ingest(ws, [shop_export], options=IngestOptions(preset="transactions"))
    # Without a preset, the missing canonical columns point at the matching preset too (UCI II spellings).
    with pytest.raises(ShopmineInputError, match=r"or use preset\. These columns match preset online_retail: "
                                                 r"use preset online_retail\."):
        ingest(ws, [write(tmp_path / "uci2.csv", UCI_II)])


def test_no_suggestion_when_no_preset_matches(ws, tmp_path):
    path = write(tmp_path / "no_invoice.csv", UCI_II.replace("Invoice,", "Bill,", 1))
    with pytest.raises(ShopmineInputError) as caught:
        ingest(ws, [path], options=IngestOptions(preset="shopify"))
    assert "match preset" not in str(caught.value)


def test_the_cli_prints_the_suggestion(run, tmp_path):
    code, _, err = run("ingest", str(write(tmp_path / "uci.csv", UCI)), "--preset", "transactions")
    assert code == 2
    assert "these columns match preset online_retail: use --preset online_retail instead" in " ".join(err.split())
