"""The same bad value gives the same message shape from every command (issue 12, acceptance 4), and
``--output``, ``--output-dir`` and ``--metrics-output`` follow one rule everywhere.

The library raises ``ShopmineInputError`` naming the parameter (``horizon_days``); the CLI's handler
names the option the user typed (``--horizon-days``). Options are checked before the workspace is
read, so an empty workspace is enough.
"""

from __future__ import annotations

import re

import pytest

from shopmine.cli.app import main

SHAPE = re.compile(r"^error: (--[a-z][a-z-]*) must be (.+); got (.+)\.$")


ORDERS = ("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
          + "".join(f"o{i},c{i % 4},p{i % 3},2024-01-{1 + i % 28:02d} 10:00:00,{1 + i % 2},{2.5 + i % 3}\n"
                    for i in range(40)))


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    """One empty and one loaded workspace for the whole module, and a small table for ``model``.

    The bad values and refused paths run on the empty one: every command must refuse them before it reads
    the workspace. Only the commands that succeed (the missing-folders test) need orders; they share one
    ingest instead of one per case. Each test writes its outputs under its own ``tmp_path``.
    """
    root = tmp_path_factory.mktemp("error_shape")
    empty, loaded = root / "empty", root / "loaded"
    assert main(["init", str(empty)]) == 0
    assert main(["init", str(loaded)]) == 0
    (root / "orders.csv").write_text(ORDERS)
    assert main(["--workspace", str(loaded), "ingest", str(root / "orders.csv")]) == 0
    table = root / "rows.csv"
    table.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(30)))
    return {"empty": empty, "loaded": loaded, "rows": table}


@pytest.fixture
def shell(workspaces, tmp_path, capsys):
    """``shell(*args, ws="empty")``: exit code and the last line of stderr of ``shopmine -w WS args``."""
    capsys.readouterr()

    def run(*args: str, ws: str = "empty") -> tuple[int, str]:
        """Exit code and the last line of stderr (progress lines, if any, come before it)."""
        args = [str(a).replace("ROWS", str(workspaces["rows"])).replace("OUT", str(tmp_path / "out")) for a in args]
        code = main(["--workspace", str(workspaces[ws]), *args])
        return code, (capsys.readouterr().err.strip().splitlines() or [""])[-1]

    return run


@pytest.mark.parametrize(("args", "option", "got"), [
    (("forecast", "--horizon", "0"), "--horizon", "0"),
    (("clv", "--horizon-days", "0"), "--horizon-days", "0"),
    (("classify", "--horizon-days", "0"), "--horizon-days", "0"),
    (("segment", "--k", "1"), "--k", "1"),
    (("model", "kmeans", "--data", "ROWS", "--k", "1"), "--k", "1"),
    (("forecast", "--top", "0"), "--top", "0"),
    (("forecast", "--backtest", "0"), "--backtest", "0"),
    (("forecast", "--model", "prophet"), "--model", "'prophet'"),
    (("clv", "--model", "prophet"), "--model", "'prophet'"),
    (("forecast", "--level", "store"), "--level", "'store'"),
    (("features", "panel", "--level", "store"), "--level", "'store'"),
    (("features", "panel", "--freq", "Q"), "--freq", "'Q'"),
    (("forecast", "--freq", "Q"), "--freq", "'Q'"),
    (("forecast", "--reconcile", "top_down"), "--reconcile", "'top_down'"),
    (("model", "tree", "--data", "ROWS", "--target", "y", "--max-depth", "0"), "--max-depth", "0"),
    (("model", "logistic", "--data", "ROWS", "--target", "y", "--penalty", "l3"), "--penalty", "'l3'"),
    (("model", "linear", "--data", "ROWS", "--target", "y", "--test-size", "2"), "--test-size", "2.0"),
    (("demo", "--output-dir", "OUT", "--customers", "0"), "--customers", "0"),
    (("simulate", "--output-dir", "OUT", "--customers", "0"), "--customers", "0"),
])
def test_a_bad_value_has_one_message_shape_in_every_command(shell, args, option, got):
    code, err = shell(*args)
    match = SHAPE.match(err)
    assert code == 2 and match, err
    assert (match.group(1), match.group(3)) == (option, got)


def test_the_same_bad_value_reads_the_same_in_two_commands(shell):
    # One template, one wording per parameter: --level in features panel and forecast.
    assert shell("features", "panel", "--level", "store")[1] == shell("forecast", "--level", "store")[1] == \
        "error: --level must be product, category or total; got 'store'."
    assert shell("clv", "--horizon-days", "0")[1] == shell("classify", "--horizon-days", "0")[1] == \
        "error: --horizon-days must be an integer of at least 1; got 0."


# --- one rule for output paths: a known suffix; missing folders are created, a file in the way is refused
# (exit 2, before any work)

OUTPUTS = [
    ("forecast", "--output", "forecast.csv"), ("forecast", "--metrics-output", "m.json"),
    ("forecast", "--output-dir", "run"),
    ("segment", "--output", "c.csv"), ("segment", "--metrics-output", "m.json"), ("segment", "--output-dir", "run"),
    ("classify", "--output", "c.csv"), ("classify", "--metrics-output", "m.json"),
    ("classify", "--output-dir", "run"),
    ("clv", "--output", "c.csv"), ("clv", "--metrics-output", "m.json"), ("clv", "--output-dir", "run"),
    ("quality", "--output", "q.json"), ("quality", "--metrics-output", "m.json"), ("quality", "--output-dir", "run"),
    ("features panel", "--output", "p.csv"), ("features panel", "--output-dir", "run"),
    ("features customers", "--output", "c.csv"), ("features customers", "--metrics-output", "m.json"),
    ("report", "--output", "r.html"),
    ("model kmeans --data ROWS", "--metrics-output", "m.json"), ("model kmeans --data ROWS", "--output-dir", "run"),
    ("demo --customers 50", "--output-dir", "run"),
]


@pytest.mark.parametrize(("command", "option", "name"), OUTPUTS)
def test_a_file_in_the_way_of_an_output_folder_is_refused_the_same_way_everywhere(shell, tmp_path, command,
                                                                                 option, name):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    target = blocker / "sub" / name
    code, err = shell(*command.split(), option, target)
    assert code == 2
    assert err == f"error: {option} must be a path whose folders can be created; got '{target}'. {blocker} is a file."


@pytest.mark.parametrize(("command", "option", "name", "written"), [
    ("model kmeans --data ROWS", "--metrics-output", "m.json", "m.json"),
    ("model kmeans --data ROWS", "--output-dir", "run", "run/index.html"),
    ("quality", "--output", "q.json", "q.json"),
    ("quality", "--metrics-output", "m.json", "m.json"),
    ("quality", "--output-dir", "run", "run/metrics.json"),
    ("features customers", "--output", "c.csv", "c.csv"),
    ("features panel", "--metrics-output", "m.json", "m.json"),
])
def test_missing_output_folders_are_created_the_same_way_everywhere(shell, tmp_path, command, option, name, written):
    target = tmp_path / "new" / "deeper" / name
    code, err = shell(*command.split(), option, target, ws="loaded")
    assert code == 0, err
    assert (tmp_path / "new" / "deeper" / written).is_file()


@pytest.mark.parametrize(("command", "option", "suffixes"), [
    ("forecast", "--metrics-output", ".json"), ("clv", "--metrics-output", ".json"),
    ("segment", "--metrics-output", ".json"), ("model kmeans --data ROWS", "--metrics-output", ".json"),
    ("forecast", "--output", ".csv, .parquet or .json"), ("clv", "--output", ".csv, .parquet or .json"),
    ("report", "--output", ".html or .htm"),
])
def test_a_wrong_suffix_is_refused_the_same_way_everywhere(shell, tmp_path, command, option, suffixes):
    code, err = shell(*command.split(), option, tmp_path / "out.txt")
    assert code == 2
    assert err == f"error: {option} must be a {suffixes} file name; got '{tmp_path / 'out.txt'}'."
