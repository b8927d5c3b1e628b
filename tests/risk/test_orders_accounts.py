"""Account attributes for the order risk features come from the customers files, never from the orders."""

from __future__ import annotations

from shopmine.ingest import IngestOptions
from shopmine.risk.orders_accounts import signup_attributes
from shopmine.shop import Shop
from shopmine.workspace import Workspace

ORDERS = ("order_id,customer_id,product_id,ordered_at,quantity,unit_price,country\n"
          "o1,c1,p1,2024-01-01 10:00:00,1,5.0,DE\n"
          "o2,c1,p1,2024-02-01 10:00:00,1,5.0,FR\n"
          "o3,c2,p1,2024-02-01 11:00:00,1,5.0,AT\n")


def _ingest(tmp_path, customers: list[str]) -> Workspace:
    (tmp_path / "orders.csv").write_text(ORDERS)
    paths = []
    for i, text in enumerate(customers):
        path = tmp_path / f"customers{i}.csv"
        path.write_text(text)
        paths.append(path)
    workspace = Workspace(tmp_path / "ws")
    with Shop(workspace) as shop:
        shop.ingest([tmp_path / "orders.csv"], IngestOptions(), customers=paths)
    return workspace


def test_signup_attributes_from_the_files(tmp_path):
    workspace = _ingest(tmp_path, ["customer_id,signup_date,country,email\nc1,2023-12-01,DE,a@example.com\n"
                                   "c3,2023-11-01,,c@example.com\n",
                                   "customer_id,country\nc1,NL\n"])
    try:
        con = workspace.warehouse(read_only=True).con
        frame = signup_attributes(con)
        # The later file's country wins; c3's empty country is no country; c2 (no file row) is absent,
        # though the warehouse's customers table gives it the country of its order.
        assert frame.to_dict("records") == [
            {"customer_id": "c1", "signup_date": "2023-12-01", "country": "NL"},
            {"customer_id": "c3", "signup_date": "2023-11-01", "country": None},
        ]
        derived = dict(con.execute("SELECT customer_id, country FROM customers").fetchall())
        assert derived["c2"] == "AT"
    finally:
        workspace.close()


def test_no_customers_file_means_no_attributes(tmp_path):
    workspace = _ingest(tmp_path, [])
    try:
        con = workspace.warehouse(read_only=True).con
        # The customers table has c1's latest order country (FR): the features must not read it.
        assert dict(con.execute("SELECT customer_id, country FROM customers").fetchall())["c1"] == "FR"
        assert signup_attributes(con) is None
    finally:
        workspace.close()


def test_a_file_without_signup_columns_gives_none(tmp_path):
    workspace = _ingest(tmp_path, ["customer_id,age_band\nc1,25-34\n"])
    try:
        assert signup_attributes(workspace.warehouse(read_only=True).con) is None
    finally:
        workspace.close()
