"""Ingest of a file already loaded says which batch loaded it, when, and how to load it again."""

from __future__ import annotations

import datetime as dt
import re

from shopmine.ingest import ingest, list_batches
from shopmine.workspace import Workspace

ORDERS = ("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
          "o1,c1,p1,2024-01-05 10:00:00,2,3.5\n"
          "o2,c2,p2,2024-01-06 11:00:00,1,8.0\n")
PRODUCTS = "product_id,name,category\np1,Mug,home\np2,Kite,toys\n"


def test_the_message_names_the_batch_its_date_and_the_remove_command(run, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS)
    products = tmp_path / "products.csv"
    products.write_text(PRODUCTS)
    assert run("ingest", str(orders), "--products", str(products))[0] == 0
    ws = Workspace(run.workspace, create=False)
    batches = list_batches(ws.warehouse(read_only=True))
    ws.close()
    (batch,), when = batches["batch_id"], batches["ingested_at"][0]

    code, out, err = run("ingest", str(orders), "--products", str(products))
    assert code == 0, err
    text = " ".join(out.split())
    for name in ("orders.csv", "products.csv"):
        assert (f"{name}: already loaded in batch {batch} on {when:%Y-%m-%d %H:%M} UTC; "
                f"`shopmine batches remove {batch}` to load it again with another mapping") in text
    assert "order rows: 0 in = 0 loaded + 0 quarantined" in text

    # The command it names works: the file then loads again, in a new batch.
    assert run("batches", "remove", batch)[0] == 0
    code, out, _ = run("ingest", str(orders))
    assert code == 0 and "already loaded" not in out and "order rows: 2 in = 2 loaded" in " ".join(out.split())


def test_the_report_carries_the_batch_and_time(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS)
    ws = Workspace(tmp_path / "ws")
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    first = ingest(ws, [orders])
    second = ingest(ws, [orders])
    (skipped,) = second.files
    assert skipped.status == "skipped" and skipped.loaded_batch == first.batch_id
    assert before - dt.timedelta(seconds=1) <= skipped.loaded_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_the_same_content_twice_in_one_ingest(run, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS)
    copy = tmp_path / "copy.csv"
    copy.write_text(ORDERS)
    code, out, err = run("ingest", str(orders), str(copy))
    assert code == 0, err
    text = " ".join(out.split())
    assert "copy.csv: the same content as a file loaded above in this batch; skipped" in text
    assert not re.search(r"orders\.csv: (already|the same)", text)
