"""Loading files into the canonical orders table: mapping rules, types, lineage, idempotence."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from shopmine.ingest import IngestOptions, ingest

def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


CANONICAL = (
    "order_id,customer_id,product_id,ordered_at,quantity,unit_price,category\n"
    "o1,c1,p1,2024-01-05 10:00:00,2,3.50,toys\n"
    "o1,c1,p2,2024-01-05 10:00:00,1,10,home/kitchen\n"
    "o2,,p1,2024-01-06 11:00:00,1,3.50,toys\n"
    "o3,c2,p1,2024-01-07 09:30:00,-1,3.50,toys\n"
)


def orders(ws) -> pd.DataFrame:
    return ws.warehouse().con.execute("SELECT * FROM orders ORDER BY source_file, source_line").df()


def test_canonical_names_need_no_mapping(ws, tmp_path):
    path = write(tmp_path / "orders.csv", CANONICAL)
    report = ingest(ws, [path])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (4, 4, 0)
    df = orders(ws)
    assert df["order_id"].tolist() == ["o1", "o1", "o2", "o3"]
    assert df["customer_id"].tolist()[:2] == ["c1", "c1"] and pd.isna(df["customer_id"][2])
    assert df["quantity"].tolist() == [2.0, 1.0, 1.0, -1.0]
    assert df["unit_price"].tolist() == [3.5, 10.0, 3.5, 3.5]
    assert df["ordered_at"][0] == pd.Timestamp("2024-01-05 10:00:00")
    assert df["source_line"].tolist() == [2, 3, 4, 5]
    assert set(df["source_file"]) == {str(path)}
    assert df["line_type"].unique().tolist() == ["product"]
    assert df["batch_id"].nunique() == 1 and df["batch_id"][0] == report.batch_id


def test_same_content_twice_adds_nothing(ws, tmp_path):
    path = write(tmp_path / "a.csv", CANONICAL)
    ingest(ws, [path])
    copy = write(tmp_path / "copy_of_a.csv", CANONICAL)
    second = ingest(ws, [path, copy])
    assert [f.status for f in second.files] == ["skipped", "skipped"]
    assert len(orders(ws)) == 4


def test_grocery_layout_through_map_alone_keeps_leading_zeros(ws, tmp_path):
    path = write(tmp_path / "grocery.csv",
                 "TRANSACTION_DT,CUSTOMER_ID,PRODUCT_ID,AMOUNT,SALES_PRICE,ASSET,PRODUCT_SUBCLASS\n"
                 "11/1/2000,00141833,4710085120468,2,88,60,110411\n"
                 "11/1/2000,00141833,04710085120468,1,35,28,110411\n"
                 "12/25/2000,01376753,4710105045443,3,297,240,100102\n")
    mapping = {"ordered_at": "TRANSACTION_DT", "customer_id": "CUSTOMER_ID", "product_id": "PRODUCT_ID",
               "quantity": "AMOUNT", "line_total": "SALES_PRICE", "line_cost": "ASSET",
               "category": "PRODUCT_SUBCLASS"}
    report = ingest(ws, [path], options=IngestOptions(mapping=mapping))
    assert report.rows_loaded == 3
    df = orders(ws)
    assert df["customer_id"].tolist() == ["00141833", "00141833", "01376753"]
    assert df["product_id"].tolist() == ["4710085120468", "04710085120468", "4710105045443"]
    assert df["unit_price"].tolist() == [44.0, 35.0, 99.0]  # line revenue / units
    assert df["unit_cost"].tolist() == [30.0, 28.0, 80.0]
    assert df["category"].tolist() == ["110411", "110411", "100102"]
    assert df["ordered_at"].tolist() == [pd.Timestamp("2000-11-01"), pd.Timestamp("2000-11-01"),
                                         pd.Timestamp("2000-12-25")]
    # No order id in the export: an order is customer + calendar day.
    assert df["order_id"].tolist() == ["00141833@2000-11-01", "00141833@2000-11-01", "01376753@2000-12-25"]


def test_spreadsheet_float_ids_become_strings(ws, tmp_path):
    path = write(tmp_path / "o.csv", "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                                     "536365,17850.0,85123A,2010-12-01 08:26:00,6,2.55\n"
                                     "536366,0042,22633,2010-12-01 08:28:00,6,1.85\n")
    ingest(ws, [path])
    assert orders(ws)["customer_id"].tolist() == ["17850", "0042"]


def test_numbers_with_currency_signs_and_separators(ws, tmp_path):
    path = write(tmp_path / "o.csv", 'order_id;customer_id;product_id;ordered_at;quantity;unit_price\n'
                                     'a;c;p;2024-02-01;1;"1,234.50"\n'
                                     'b;c;p;2024-02-01;2;€ 12,50\n'
                                     'c;c;p;2024-02-01;3;$7\n')
    ingest(ws, [path])
    assert orders(ws)["unit_price"].tolist() == [1234.5, 12.5, 7.0]


def test_line_types_are_kept_but_marked(ws, tmp_path):
    path = write(tmp_path / "o.csv",
                 "order_id,customer_id,product_id,name,ordered_at,quantity,unit_price\n"
                 "1,c,POST,POSTAGE,2011-01-01,1,18\n"
                 "1,c,BANK CHARGES,Bank Charges,2011-01-01,1,15\n"
                 "1,c,AMAZONFEE,AMAZON FEE,2011-01-01,1,5.5\n"
                 "1,c,D,Discount,2011-01-01,-1,-2\n"
                 "1,c,M,Manual,2011-01-01,1,-3\n"
                 "1,c,X1,Shipping,2011-01-01,1,4.95\n"
                 "1,c,22423,REGENCY CAKESTAND 3 TIER,2011-01-01,1,12.75\n")
    ingest(ws, [path])
    assert orders(ws)["line_type"].tolist() == ["shipping", "fee", "fee", "discount", "adjustment",
                                                "shipping", "product"]


def test_parquet_and_excel_inputs(ws, tmp_path):
    frame = pd.DataFrame({"order_id": ["1", "2"], "customer_id": [17850.0, None], "product_id": ["p", "q"],
                          "ordered_at": pd.to_datetime(["2024-03-01 10:00", "2024-03-02 11:00"]),
                          "quantity": [1, 2], "unit_price": [2.5, 4.0]})
    frame.to_parquet(tmp_path / "o.parquet")
    frame.assign(order_id=["3", "4"]).to_excel(tmp_path / "o.xlsx", index=False)
    report = ingest(ws, [tmp_path / "o.parquet", tmp_path / "o.xlsx"])
    assert report.rows_loaded == 4
    df = orders(ws)
    assert df["customer_id"].tolist()[0] == "17850"
    assert df["ordered_at"].tolist()[:2] == [pd.Timestamp("2024-03-01 10:00"), pd.Timestamp("2024-03-02 11:00")]
    excel_lines = df[df["source_file"].str.endswith(".xlsx")]["source_line"].tolist()
    assert excel_lines == [2, 3]


def test_gzip_csv_and_globs(ws, tmp_path):
    for month in ("01", "02"):
        with gzip.open(tmp_path / f"part-{month}.csv.gz", "wt") as fh:
            fh.write(CANONICAL.replace("2024-01", f"2024-{month}"))
    report = ingest(ws, [str(tmp_path / "part-*.csv.gz")])
    assert len(report.files) == 2 and report.rows_loaded == 8


def test_extra_columns_are_kept(ws, tmp_path):
    path = write(tmp_path / "o.csv", "order_id,customer_id,product_id,ordered_at,quantity,unit_price,Gift Wrap\n"
                                     "1,c,p,2024-01-01,1,2,yes\n")
    ingest(ws, [path])
    assert orders(ws)["gift_wrap"].tolist() == ["yes"]


def test_products_and_customers_files(ws, tmp_path):
    path = write(tmp_path / "o.csv", CANONICAL)
    products = write(tmp_path / "products.csv", "product_id,name,category,unit_cost,list_price\n"
                                                "p1,Robot,toys/robots,1.2,4.0\np9,Unsold,misc,1,2\n")
    customers = write(tmp_path / "customers.csv", "customer_id,signup_date,Region\nc1,2023-05-01,north\n")
    ingest(ws, [path], products=[products], customers=[customers])
    con = ws.warehouse().con
    prod = con.execute("SELECT product_id, name, category, unit_cost, list_price, lines FROM products "
                       "ORDER BY product_id").fetchall()
    assert prod == [("p1", "Robot", "toys/robots", 1.2, 4.0, 3), ("p2", None, "home/kitchen", None, None, 1),
                    ("p9", "Unsold", "misc", 1.0, 2.0, 0)]
    cust = con.execute("SELECT customer_id, orders, signup_date, region FROM customers ORDER BY 1").fetchall()
    assert cust == [("c1", 1, "2023-05-01", "north"), ("c2", 1, None, None)]


def test_quality_json_has_the_invariant(run, tmp_path):
    path = write(tmp_path / "o.csv", CANONICAL + "o4,c3,p1,not a date,1,2,toys\n")
    assert run("ingest", str(path))[0] == 0
    out = tmp_path / "q.json"
    code, stdout, _ = run("quality", "--output", str(out))
    assert code == 0 and "quarantined" in stdout
    report = json.loads(out.read_text())
    assert report["rows_in"] == 5 and report["rows_loaded"] == 4 and report["rows_quarantined"] == 1
    assert report["quarantined_by_reason"] == {"unparseable_date": 1}
    assert report["rows_in"] == report["rows_loaded"] + report["rows_quarantined"]
    assert report["returns_share"] == pytest.approx(1 / 4)
