"""``shopmine recommend`` driven in-process: answers, the saved run, and every robustness case of issue 13
(acceptance 5) with its exit code and message."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from shopmine.cli.app import main

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price,category,name\n"
ORDERS = HEADER + (
    "o1,c1,p1,2024-01-02 10:00:00,2,3.0,toys/cars,Red car\n"
    "o1,c1,p2,2024-01-02 10:00:00,1,10.0,home,\"Lamp [bold]x[/]\"\n"
    "o2,c1,p1,2024-02-01 10:00:00,1,3.0,toys/cars,Red car\n"
    "o3,c2,p1,2024-02-03 12:00:00,1,3.0,toys/cars,Red car\n"
    "o3,c2,p3,2024-02-03 12:00:00,1,5.0,toys/dolls,Doll\n"
    "o4,c3,p2,2024-02-10 09:00:00,1,10.0,home,\"Lamp [bold]x[/]\"\n"
    "o5,c3,p4,2024-02-11 09:00:00,1,7.0,garden,Rake\n"
    "o6,c4,p1,2024-02-12 09:00:00,1,3.0,toys/cars,Red car\n"
    "o6,c4,p2,2024-02-12 09:00:00,1,10.0,home,\"Lamp [bold]x[/]\"\n"
    "o6,c4,p3,2024-02-12 09:00:00,1,5.0,toys/dolls,Doll\n"
    "o6,c4,p4,2024-02-12 09:00:00,1,7.0,garden,Rake\n"
    # in the test month of --evaluate (as of 2024-02-15)
    "o7,c1,p3,2024-02-20 09:00:00,1,5.0,toys/dolls,Doll\n"
    "o8,c2,p1,2024-02-21 09:00:00,1,3.0,toys/cars,Red car\n"
)


@pytest.fixture
def shop(tmp_path: Path, capsys):
    ws = tmp_path / "ws"

    def run(*args: str):
        code = main(["--workspace", str(ws), *map(str, args)])
        out = capsys.readouterr()
        return code, out.out, out.err

    def load(text: str) -> None:
        (tmp_path / "orders.csv").write_text(text)
        code, _, err = run("ingest", str(tmp_path / "orders.csv"))
        assert code == 0, err

    run.load = load
    run.tmp = tmp_path
    return run


def test_customer_answer_then_from_the_saved_run(shop):
    shop.load(ORDERS)
    path = shop.tmp / "c1.json"
    code, out, err = shop("recommend", "--customer", "c1", "--k", "3", "--output", path)
    assert code == 0, err
    assert "3 recommendations for 1 customer(s), after fitting the models" in out
    assert "saved run:" in out
    assert "answered_from_run" in out and "none: fitted now" in out  # the metric's None, in words
    assert "Lamp [bold]x[/]" in out  # a product name is shown as it is, never read as markup
    recs = pd.read_json(path, dtype={"product_id": str})
    # c1 bought p1 on two days 30 days apart, the last 2024-02-01, 21 days before the as-of 2024-02-22.
    assert recs.loc[0, ["product_id", "reason"]].tolist() == ["p1", "you buy this about every 30 days, last 21 days ago"]
    code, out, err = shop("recommend", "--customer", "c1", "--k", "3")
    assert code == 0, err
    assert "from the saved run" in out and "saved run:" not in out  # answered, not refitted nor saved again
    code, out, _ = shop("runs", "list")
    assert out.count("recommend") == 1


def test_all_customers_written_with_the_output_contract(shop):
    shop.load(ORDERS)
    path = shop.tmp / "recs.csv"
    code, out, err = shop("recommend", "--all", "--k", "2", "--output", path)
    assert code == 0, err
    recs = pd.read_csv(path, dtype=str)
    assert list(recs.columns) == ["customer_id", "rank", "product_id", "score", "reason"]
    assert sorted(recs["customer_id"].unique()) == ["c1", "c2", "c3", "c4"]
    assert recs.groupby("customer_id")["rank"].apply(list).tolist() == [["1", "2"]] * 4


def test_cold_start_and_a_customer_who_bought_everything(shop):
    shop.load(ORDERS)
    code, out, err = shop("recommend", "--customer", "newcomer", "--customer", "c4", "--no-repeat", "--k", "10")
    assert code == 0, err
    assert "popular this month" in out          # the newcomer: recently popular products
    assert "you bought this before" in out      # c4 bought all four products: never an empty answer
    assert "(1 unknown: recently popular products)" in out


def test_k_larger_than_the_catalogue(shop):
    shop.load(ORDERS)
    path = shop.tmp / "recs.json"
    code, _, err = shop("recommend", "--customer", "c2", "--k", "50", "--output", path)
    assert code == 0, err
    recs = pd.read_json(path)
    assert sorted(recs["product_id"]) == ["p1", "p2", "p3", "p4"]  # the catalogue: 4 rows, not 50


def test_a_shop_with_one_product(shop):
    shop.load(HEADER + "o1,c1,p1,2024-01-02 10:00:00,1,3.0,toys,Car\no2,c2,p1,2024-01-05 10:00:00,1,3.0,toys,Car\n")
    path = shop.tmp / "one.csv"
    code, out, err = shop("recommend", "--customer", "c1", "--customer", "c9", "--output", path)
    assert code == 0, err
    assert pd.read_csv(path)[["customer_id", "product_id"]].values.tolist() == [["c1", "p1"], ["c9", "p1"]]
    code, out, err = shop("recommend", "--product", "p1")
    assert code == 0, err  # nothing bought together, nothing else to fill with: an empty answer, not an error


@pytest.mark.parametrize("args, message", [
    (("--customer", "c1", "--k", "0"), "--k must be a whole number of at least 1; got 0."),
    (("--customer", "c1", "--k", "-3"), "--k must be a whole number of at least 1; got -3."),
    (("--product", "nope"), "--product: no product 'nope' was bought by a customer before the as-of date"),
    (("--customer", "c1", "--category", "books"), "--category: no product bought before the as-of date is in "
                                                  "category 'books' or below (top-level categories: garden, home, "
                                                  "toys)"),
    (("--customer", "c1", "--exclude-inactive-days", "0"), "--exclude-inactive-days must be a whole number of days"),
    ((), "give exactly one of --customer ID, --product ID, --all or --evaluate."),
    (("--all", "--product", "p1"), "give exactly one of --customer ID, --product ID, --all or --evaluate (got 2)."),
    (("--all", "--output", "recs.txt"), "--output must be a .csv, .parquet or .json file name"),
])
def test_bad_requests_exit_2_naming_the_option(shop, args, message):
    shop.load(ORDERS)
    code, _, err = shop("recommend", *args)
    assert code == 2
    assert message in err


def test_category_and_product_answers(shop):
    shop.load(ORDERS)
    path = shop.tmp / "toys.csv"
    code, _, err = shop("recommend", "--customer", "c3", "--category", "toys", "--output", path)
    assert code == 0, err
    assert set(pd.read_csv(path)["product_id"]) == {"p1", "p3"}
    code, out, err = shop("recommend", "--product", "p1", "--k", "2")
    assert code == 0, err
    assert "bought together with Red car in" in out


def test_evaluate_writes_the_table_and_metrics(shop):
    shop.load(ORDERS)
    table, metrics = shop.tmp / "eval.csv", shop.tmp / "eval.json"
    code, out, err = shop("--as-of", "2024-02-15", "recommend", "--evaluate", "--horizon-days", "10",
                          "--output", table, "--metrics-output", metrics)
    assert code == 0, err
    evaluation = pd.read_csv(table)
    assert set(evaluation["model"]) >= {"popular_recent", "repeat", "default"}
    # Test: c1 buys p3 (new for c1), c2 buys p1 again. repeat finds c2's p1 among c2's 2 products.
    repeat_all = evaluation[(evaluation["variant"] == "all") & (evaluation["model"] == "repeat")].iloc[0]
    assert repeat_all["customers"] == 2 and repeat_all["recall"] == pytest.approx(0.5)
    saved = json.loads(metrics.read_text())
    assert saved["horizon_days"] == 10
    # the default beside the best other model of each variant, with the relative lift
    default_all = evaluation[(evaluation["variant"] == "all") & (evaluation["model"] == "default")].iloc[0]
    best = evaluation[(evaluation["variant"] == "all") & (evaluation["model"] != "default")]
    best = best.sort_values(["recall", "model"], ascending=[False, True]).iloc[0]
    against = saved["default_against_best_other"]["all"]["recall@10"]
    assert against["best_other"] == best["model"] and against["best_other_value"] == pytest.approx(best["recall"])
    assert against["relative_lift"] == pytest.approx(default_all["recall"] / best["recall"] - 1)
    assert "new items only" in out
    # Ten days before 2024-02-15 hold no purchase of a known customer: ALS cannot be tuned, and says so.
    assert "Left out als: no customer of the training period bought anything" in out
    code, _, err = shop("recommend", "--evaluate", "--horizon-days", "0")
    assert code == 2 and "--horizon-days must be a whole number of days, at least 1; got 0." in err
    # after the last order there is nothing to test on
    code, _, err = shop("--as-of", "2024-03-01", "recommend", "--evaluate")
    assert code == 2 and "Choose an earlier --as-of or a longer --horizon-days" in err
    # without --as-of the test is the log's last 30 days: the default as-of is 2024-02-22 (after the last
    # order), so training ends before 2024-01-23; c1 (seen on 01-02) bought p1 and p3 since
    code, out, err = shop("recommend", "--evaluate")
    assert code == 0, err
    assert "Trained on purchases before 2024-01-23, tested on the next 30 days" in out
    assert "2024-02-22" not in err  # the progress line names no day (not the default as-of, trained after)


def test_hostile_product_names_are_escaped_in_the_report_folder(shop):
    shop.load(ORDERS.replace("Lamp [bold]x[/]", "<img src=x onerror=alert(1)>"))
    folder = shop.tmp / "out"
    code, _, err = shop("recommend", "--customer", "c3", "--no-repeat", "--k", "4", "--output-dir", folder)
    assert code == 0, err
    html = (folder / "index.html").read_text()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # "often bought with <img ...>" as text


def test_a_mapped_log_without_order_ids(shop):
    """Another shop's export: its own column names, no order ids (baskets are a customer's lines of one
    moment). The output contract holds and "bought together" still finds the basket pairs."""
    rows = [line.split(",", 1)[1] for line in ORDERS.splitlines()[1:]]  # drop the order id
    text = "CUST,SKU,WHEN,QTY,PRICE,CAT,TITLE\n" + "\n".join(rows) + "\n"
    (shop.tmp / "export.csv").write_text(text)
    code, _, err = shop("ingest", shop.tmp / "export.csv", "--map",
                        "customer_id=CUST,product_id=SKU,ordered_at=WHEN,quantity=QTY,unit_price=PRICE,"
                        "category=CAT,name=TITLE")
    assert code == 0, err
    path = shop.tmp / "all.csv"
    code, _, err = shop("recommend", "--all", "--k", "2", "--output", path)
    assert code == 0, err
    recs = pd.read_csv(path, dtype={"customer_id": str, "product_id": str})
    assert list(recs.columns) == ["customer_id", "rank", "product_id", "score", "reason"]
    assert sorted(recs["customer_id"].unique()) == ["c1", "c2", "c3", "c4"]
    assert recs.groupby("customer_id")["rank"].apply(list).tolist() == [[1, 2]] * 4
    assert not recs.duplicated(["customer_id", "product_id"]).any() and recs["reason"].str.len().gt(0).all()
    path = shop.tmp / "together.csv"
    code, _, err = shop("recommend", "--product", "p3", "--k", "3", "--output", path)
    assert code == 0, err
    together = pd.read_csv(path, dtype=str)
    # p3 (Doll) shares a basket with p1 (c2 on 2024-02-03 and c4 on 02-12), with p2 and p4 once (c4)
    assert together["product_id"].iloc[0] == "p1"
    assert set(together["product_id"]) == {"p1", "p2", "p4"}


def test_evaluate_examples_show_product_names_without_control_characters(shop):
    """The examples' names come from the order file: an escape sequence (here one that clears the
    terminal) is shown as text without its control character, as in the reasons."""
    shop.load(ORDERS.replace("Doll", "Do\x1b[2Jll"))
    folder = shop.tmp / "eval"
    code, out, err = shop("--as-of", "2024-02-15", "recommend", "--evaluate", "--horizon-days", "10",
                          "--output-dir", folder)
    assert code == 0, err
    assert "\x1b" not in out and "Do [2Jll" in out
    examples = pd.read_csv(folder / "examples.csv", dtype=str, keep_default_na=False)
    assert set(examples.loc[examples["product_id"] == "p3", "name"]) == {"Do [2Jll"}
    assert set(examples.loc[examples["product_id"] == "p1", "name"]) == {"Red car"}
