"""Issue 10, item 3: a pseudonymised workspace holds no clear customer id or personal value, in
any file it writes (warehouse, part files, quarantine, Parquet exports, quality outputs, feature
outputs), and raw ids and tokens never mix in one workspace."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shopmine.cli.app import main
from shopmine.ingest import IngestOptions, ingest
from shopmine.privacy import pseudonym
from shopmine.workspace import Workspace

# No order_id column: the order id is derived (customer + day). Personal data sits under names
# (cell, recipient, ship_to), by content under other names (notes: free text holding an e-mail and
# a phone; login: e-mails), line 5 is quarantined (quantity "many") and line 6 is malformed (one
# field too many) with an e-mail in its surplus field.
ORDERS = """\
customer_id,product_id,ordered_at,quantity,unit_price,cell,recipient,ship_to,notes,login,coupon
cust-ALPHA01,P1,2011-10-01 10:00,2,3.50,+44 7700 900123,Alice Quimby,12 Privet Drive Little Whinging,leave at door,alice.quimby@mailbox.example,SPRING10
cust-ALPHA01,P2,2011-10-01 10:05,1,9.99,+44 7700 900123,Alice Quimby,12 Privet Drive Little Whinging,call me at +44 7700 900124,alice.quimby@mailbox.example,
cust-BRAVO02,P1,2011-10-02 11:00,3,3.50,020 7946 0958,Bruno Vexley,4 Wisteria Lane Fairview,write to bruno.vexley@post.example please,bruno.vexley@post.example,SPRING10
cust-BRAVO02,P3,2011-10-03 09:00,many,1.25,020 7946 0958,Bruno Vexley,4 Wisteria Lane Fairview,,bruno.vexley@post.example,
cust-CHARLIE3,P2,2011-10-03 12:00,1,9.99,07700 900555,Cora Zabriskie,7 Elm Street Springwood,gift,cora.zabriskie@inbox.example,SPRING10,oops,dora.yellin@hidden.example
"""
# A customers attribute file with an e-mail column and a phone column under a plain name.
CUSTOMERS = """\
customer_id,email,reach,segment
cust-ALPHA01,alice.quimby@mailbox.example,+44 7700 900123,gold
cust-BRAVO02,bruno.vexley@post.example,020 7946 0958,silver
"""
RAW_VALUES = [
    "ALPHA01", "BRAVO02", "CHARLIE3",  # customer ids (and so the derived order ids)
    "7700 900123", "7700 900124", "7946 0958", "7700 900555",  # phones: cell, inside notes, customers file
    "Quimby", "Vexley", "Zabriskie",  # recipients and e-mail local parts
    "Privet", "Wisteria", "Springwood",  # addresses
    "mailbox.example", "post.example", "inbox.example", "hidden.example",  # e-mails, one only on the malformed line
]


def cli(workspace: Path, *args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--workspace", str(workspace), *args])
    return code, out.getvalue(), err.getvalue()


def ingest_all(tmp_path: Path, workspace: Path, *flags: str) -> tuple[int, str, str]:
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS, encoding="utf-8")
    return cli(workspace, "ingest", str(orders), "--customers", str(customers), *flags)


def write_every_output(workspace: Path, tmp_path: Path) -> list[Path]:
    """Run what writes files: quality (json, html, quarantine export), features, the Parquet export."""
    exported = [workspace / "outputs" / "quarantine.csv", workspace / "outputs" / "quarantine.parquet",
                workspace / "outputs" / "customers.csv", workspace / "outputs" / "customers.json"]
    assert cli(workspace, "quality")[0] == 0
    assert cli(workspace, "quality", "--output", str(exported[0]))[0] == 0
    assert cli(workspace, "quality", "--output", str(exported[1]))[0] == 0
    for path in exported[2:]:
        code, out, err = cli(workspace, "--as-of", "2011-10-05", "features", "customers", "--output", str(path))
        assert code == 0, out + err
    ws = Workspace(workspace)
    ws.warehouse().export_parquet()  # parquet/quarantine.parquet and the other tables Spark reads
    ws.warehouse().close()
    return exported


def files_holding(workspace: Path, values: list[str]) -> dict[str, list[str]]:
    """Each raw value -> the files under ``workspace`` whose bytes hold it (UTF-8, any case), plus
    the Parquet and DuckDB files whose decoded values hold it (both may compress their pages, so
    bytes alone could miss a value that is there; bytes alone see freed DuckDB pages)."""
    found: dict[str, list[str]] = {}
    blobs = {}
    for path in sorted(p for p in workspace.rglob("*") if p.is_file()):
        blobs[str(path)] = path.read_bytes().lower()
        if path.suffix == ".parquet":
            rows = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
            blobs[f"{path} (decoded)"] = repr(rows).lower().encode()
    con = Workspace(workspace).warehouse().con
    tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main'").fetchall()]
    blobs["warehouse.duckdb (decoded)"] = repr(
        [con.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables]).lower().encode()
    for value in values:
        needle = value.lower().encode()
        found[value] = [name for name, blob in blobs.items() if needle in blob]
    return found


def test_pseudonymize_leaves_no_raw_value_in_any_file(tmp_path):
    workspace = tmp_path / "ws"
    code, out, err = ingest_all(tmp_path, workspace, "--pseudonymize")
    assert code == 0, out + err
    exported = write_every_output(workspace, tmp_path)
    assert all(p.exists() for p in exported)
    assert (workspace / "parquet" / "quarantine.parquet").exists()
    assert (workspace / "outputs" / "quality.html").exists() and (workspace / "outputs" / "quality.json").exists()
    leaks = {value: where for value, where in files_holding(workspace, RAW_VALUES).items() if where}
    assert leaks == {}


def test_byte_search_finds_the_raw_values_of_a_raw_workspace(tmp_path):
    """The search above can fail: without --pseudonymize the same files hold the clear values."""
    workspace = tmp_path / "ws"
    assert ingest_all(tmp_path, workspace)[0] == 0
    write_every_output(workspace, tmp_path)
    found = files_holding(workspace, RAW_VALUES)
    assert [v for v in RAW_VALUES if not found[v]] == []
    assert "warehouse.duckdb (decoded)" in found["hidden.example"]  # the malformed line, kept whole
    assert any("warehouse.parts" in f and "(decoded)" not in f for f in found["ALPHA01"])


def test_pseudonymize_derives_the_order_id_from_the_token(tmp_path):
    workspace = tmp_path / "ws"
    assert ingest_all(tmp_path, workspace, "--pseudonymize")[0] == 0
    ws = Workspace(workspace)
    key = ws.pseudonym_key()
    orders = ws.warehouse().con.execute("SELECT DISTINCT order_id FROM orders ORDER BY 1").fetchall()
    expected = sorted([f"{pseudonym('cust-ALPHA01', key)}@2011-10-01", f"{pseudonym('cust-BRAVO02', key)}@2011-10-02"])
    assert [r[0] for r in orders] == expected
    # one customer in the order lines and the customers file: the same token
    customers = ws.warehouse().con.execute("SELECT customer_id, orders, segment FROM customers ORDER BY 1").fetchall()
    assert sorted(customers) == sorted([(pseudonym("cust-ALPHA01", key), 1, "gold"),
                                        (pseudonym("cust-BRAVO02", key), 1, "silver")])


def test_pseudonymize_summary_says_which_columns_and_why(tmp_path):
    code, out, _ = ingest_all(tmp_path, tmp_path / "ws", "--pseudonymize")
    assert code == 0
    assert ("pseudonymised in orders.csv: customer_id (customer id), cell (name), recipient (name), "
            "ship_to (name), notes (content: e-mail addresses), login (content: e-mail addresses)") in out
    assert ("pseudonymised in customers.csv: customer_id (customer id), email (name), "
            "reach (content: phone numbers)") in out


def test_raw_ingest_into_pseudonymized_workspace_is_refused(tmp_path):
    workspace = tmp_path / "ws"
    assert ingest_all(tmp_path, workspace, "--pseudonymize")[0] == 0
    more = tmp_path / "more.csv"
    more.write_text(ORDERS.replace("2011-10", "2011-11"), encoding="utf-8")
    code, out, err = cli(workspace, "ingest", str(more))
    assert code == 2
    assert "pseudonymised customer ids" in err and "add --pseudonymize" in err
    con = Workspace(workspace).warehouse().con
    assert con.execute("SELECT count(*) FROM orders WHERE ordered_at >= '2011-11-01'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM batches WHERE source_file LIKE '%more.csv'").fetchone()[0] == 0
    # --no-pseudonymize says the same; --pseudonymize loads the file
    assert cli(workspace, "ingest", str(more), "--no-pseudonymize")[0] == 2
    assert cli(workspace, "ingest", str(more), "--pseudonymize")[0] == 0
    assert con.execute("SELECT count(*) FROM orders WHERE ordered_at >= '2011-11-01'").fetchone()[0] == 3


def test_pseudonymized_ingest_into_raw_workspace_is_refused(tmp_path):
    workspace = tmp_path / "ws"
    assert ingest_all(tmp_path, workspace)[0] == 0
    more = tmp_path / "more.csv"
    more.write_text(ORDERS.replace("2011-10", "2011-11"), encoding="utf-8")
    code, _, err = cli(workspace, "ingest", str(more), "--pseudonymize")
    assert code == 2
    assert "clear customer ids" in err and "one person would become two customers" in err
    con = Workspace(workspace).warehouse().con
    assert con.execute("SELECT count(*) FROM orders WHERE ordered_at >= '2011-11-01'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM orders WHERE customer_id LIKE 'p\\_%' ESCAPE '\\'").fetchone()[0] == 0


def test_workspace_setting_makes_pseudonymize_implicit(tmp_path):
    workspace = tmp_path / "ws"
    assert cli(workspace, "init", str(workspace))[0] == 0
    config = workspace / "shopmine.toml"
    config.write_text(config.read_text() + "\npseudonymize = true\n")
    assert ingest_all(tmp_path, workspace)[0] == 0
    more = tmp_path / "more.csv"
    more.write_text(ORDERS.replace("2011-10", "2011-11"), encoding="utf-8")
    code, out, err = cli(workspace, "ingest", str(more))
    assert code == 0, out + err
    con = Workspace(workspace).warehouse().con
    assert con.execute("SELECT count(DISTINCT customer_id), min(customer_id) LIKE 'p\\_%' ESCAPE '\\' FROM orders"
                       ).fetchone() == (2, True)


@pytest.mark.parametrize("flag", ["--pseudonymize", None])
def test_product_files_do_not_decide_the_workspace_mode(tmp_path, flag):
    """A products-only ingest holds no personal data: it is neither refused nor counted."""
    workspace = tmp_path / "ws"
    products = tmp_path / "products.csv"
    products.write_text("product_id,name\nP1,Mug\n", encoding="utf-8")
    ingest(Workspace(workspace), [], products=[products], options=IngestOptions(pseudonymize=flag is not None))
    other = [] if flag else ["--pseudonymize"]
    code, out, err = ingest_all(tmp_path, workspace, *other)
    assert code == 0, out + err
