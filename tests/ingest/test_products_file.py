"""A products file with its own column names: --products-map / [products_mapping], attributes kept."""

from __future__ import annotations

import pytest

from shopmine.errors import ShopmineInputError
from shopmine.ingest import IngestOptions, ingest
from shopmine.io.mapping import parse_products_map_options
from shopmine.workspace import Workspace

ORDERS = (
    "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
    "o1,c1,A-1,2024-01-05 10:00:00,2,3.50\n"
    "o2,c2,B-2,2024-01-06 11:00:00,1,10\n"
)
# Renamed canonical columns (SKU, Title, Dept, Cost) and two columns shopmine has no name for.
PRODUCTS = (
    "SKU,Title,Dept,Cost,Shelf Life (days),Supplier\n"
    "A-1,Robot,toys/robots,1.20,365,Acme\n"
    "B-2,Kettle,home/kitchen,4.5,,Brew & Co\n"
    "C-3,Unsold lamp,home/lighting,2,30,Acme\n"
)
MAP = {"product_id": "SKU", "name": "Title", "category": "Dept", "unit_cost": "Cost"}


def _files(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "products.csv").write_text(PRODUCTS)
    return tmp_path / "orders.csv", tmp_path / "products.csv"


def _products(ws: Workspace) -> list[tuple]:
    return ws.warehouse().con.execute(
        "SELECT product_id, name, category, unit_cost, list_price, lines, shelf_life_days, supplier "
        "FROM products ORDER BY product_id").fetchall()


EXPECTED = [
    ("A-1", "Robot", "toys/robots", 1.2, None, 1, "365", "Acme"),
    ("B-2", "Kettle", "home/kitchen", 4.5, None, 1, None, "Brew & Co"),
    ("C-3", "Unsold lamp", "home/lighting", 2.0, None, 0, "30", "Acme"),
]


def test_library_maps_renamed_columns_and_keeps_the_others_as_attributes(tmp_path):
    orders, products = _files(tmp_path)
    ws = Workspace(tmp_path / "ws")
    report = ingest(ws, [orders], products=[products], options=IngestOptions(products_mapping=MAP))
    assert [(f.kind, f.rows_loaded, f.rows_quarantined) for f in report.files] == [
        ("orders", 2, 0), ("products", 3, 0)]
    assert _products(ws) == EXPECTED


def test_cli_option_and_toml_table(run, tmp_path):
    orders, products = _files(tmp_path)
    code, out, err = run("ingest", str(orders), "--products", str(products),
                         "--products-map", "product_id=SKU,name=Title", "--products-map", "category=Dept",
                         "--products-map", "unit_cost=Cost")
    assert code == 0, err
    assert _products(Workspace(run.workspace, create=False)) == EXPECTED

    # The same mapping from shopmine.toml, in a second workspace.
    other = tmp_path / "ws2"
    Workspace(other).config_path.write_text(
        '[products_mapping]\nproduct_id = "SKU"\nname = "Title"\ncategory = "Dept"\nunit_cost = "Cost"\n')
    from shopmine.cli.app import main

    assert main(["--workspace", str(other), "ingest", str(orders), "--products", str(products)]) == 0
    assert _products(Workspace(other, create=False)) == EXPECTED


def test_attribute_names_never_take_a_stored_column(tmp_path):
    # Lines would take the derived line count's place and Batch ID the lineage column's: they are
    # stored as attr_lines and attr_batch_id.
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "p.csv").write_text("product_id,Title,Lines,Batch ID\nA-1,Robot,3,x\n")
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [tmp_path / "orders.csv"], products=[tmp_path / "p.csv"],
           options=IngestOptions(products_mapping={"name": "Title"}))
    row = ws.warehouse().con.execute(
        "SELECT name, lines, attr_lines, attr_batch_id FROM products WHERE product_id = 'A-1'").fetchone()
    assert row == ("Robot", 1, "3", "x")


def test_source_column_missing_names_the_file_and_column(run, tmp_path):
    orders, products = _files(tmp_path)
    code, _, err = run("ingest", str(orders), "--products", str(products), "--products-map", "name=Titel")
    assert code == 2
    assert "products.csv" in err and "name=Titel" in err and "does not have" in err and "SKU, Title" in err
    # Nothing of the run was loaded.
    assert Workspace(run.workspace, create=False).warehouse().has_orders() is False


def test_unknown_canonical_name_is_refused_everywhere(run, tmp_path):
    orders, products = _files(tmp_path)
    code, _, err = run("ingest", str(orders), "--products", str(products), "--products-map", "title=Title")
    assert code == 2 and "--products-map 'title=Title': 'title' is not a canonical column" in err
    assert "product_id, name, category, unit_cost, list_price" in err
    with pytest.raises(ShopmineInputError, match="must look like CANONICAL=SOURCE, e.g. products_mapping name="):
        parse_products_map_options(["Title"])
    with pytest.raises(ShopmineInputError, match="products_mapping maps title, which is not a products column"):
        ingest(Workspace(tmp_path / "lib"), [orders], products=[products],
               options=IngestOptions(products_mapping={"title": "Title"}))
    ws = Workspace(tmp_path / "toml")
    ws.config_path.write_text('[products_mapping]\ntitle = "Title"\n')
    with pytest.raises(ShopmineInputError, match=r"\[products_mapping\] in .*shopmine.toml: title is not a products"):
        Workspace(tmp_path / "toml", create=False).products_mapping


def test_missing_product_id_says_how_to_map_it(tmp_path):
    orders, products = _files(tmp_path)
    with pytest.raises(ShopmineInputError, match=r"products.csv: products file has no product_id column .*"
                                                 r"products_mapping product_id=COLUMN"):
        ingest(Workspace(tmp_path / "ws"), [orders], products=[products])
