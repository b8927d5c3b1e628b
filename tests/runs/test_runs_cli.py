"""``shopmine runs list|show|delete`` and the commands that save runs."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from shopmine.runs import list_runs, load_run
from shopmine.runs.integrity import sign_record

RUN = re.compile(r"saved run: ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)")


def _run_id(stdout: str) -> str:
    match = RUN.search(stdout)
    assert match, stdout
    return match.group(1)


def test_list_show_delete(cli, ws):
    code, out, err = cli("runs", "list")
    assert code == 0 and "no saved runs yet" in out
    code, out, err = cli("segment", "--k", "3", "--seed", "7")
    assert code == 0, err
    run_id = _run_id(out)
    code, out, err = cli("runs", "list")
    assert code == 0, err
    row = next(line for line in out.splitlines() if run_id in line)
    as_of = load_run(ws, run_id).metadata["as_of"]
    pattern = rf"{run_id}\s*│ segments\s*│ k=3, seed=7\s*│ {as_of}\s*│ complete\s*│ 20\d\d-.*│\s+[0-9.]+ s\s*│ no"
    assert re.search(pattern, row), row
    code, out, err = cli("runs", "show", run_id)
    assert code == 0, err
    assert f"run {run_id}: Customer segments (RFM and behaviour clusters)" in out
    assert "  parameters: {\"k\": 3, \"seed\": 7}" in out and "  stale: no" in out
    rows = load_run(ws, run_id).metadata["rows"]
    assert rows["customers"] > 100
    assert re.search(rf"│ customers\s*│\s*{rows['customers']:,} │", out)
    code, out, err = cli("runs", "list", "--analysis", "clv")
    assert code == 0 and "no saved runs yet" in out
    code, out, err = cli("runs", "delete", run_id)
    assert code == 0 and f"deleted run {run_id} (segments)." in out
    assert "removed its model versions from the registry: segments-kmeans v1." in out
    assert list_runs(ws) == [] and ws.registry().names() == []
    code, out, err = cli("runs", "delete", run_id)
    assert code == 2
    assert f"no saved run {run_id} in this workspace; list the saved runs with `shopmine runs list`" in err
    code, out, err = cli("runs", "show", "../../etc")
    assert code == 2 and "is not a run id" in err


def test_delete_keeps_the_model_versions_another_run_uses(cli, ws):
    from shopmine.runs import save_run
    from shopmine.runs.layout import analysis_dir

    code, out, err = cli("segment", "--k", "2")
    first = _run_id(out)
    code, out, err = cli("segment", "--k", "3")
    second = _run_id(out)
    # A third run (the second read back, re-saved) naming the first run's k-means (as a run reusing a
    # fitted model would).
    saved = load_run(ws, second)
    meta = saved.metadata
    shared = {"key": "first_kmeans", "name": "segments-kmeans", "version": 1, "format": "json"}
    third = save_run(ws, saved.result, analysis="segments", parameters=meta["parameters"], as_of=meta["as_of"],
                     started=datetime.now(timezone.utc))
    folder = analysis_dir(ws, "segments") / third
    record = json.loads((folder / "metadata.json").read_text())
    record["models"].append(shared)
    (folder / "metadata.json").write_text(json.dumps(sign_record(record, ws.signing_key())))
    code, out, err = cli("runs", "delete", first)
    assert code == 0, err
    assert "kept the model versions another run uses: segments-kmeans v1." in out and "removed" not in out
    code, out, err = cli("runs", "delete", second)
    assert code == 0 and "removed its model versions from the registry: segments-kmeans v2." in out
    assert [v.version for v in ws.registry().versions("segments-kmeans")] == [1]  # the third run names it


def test_show_of_a_tampered_run_exits_2_naming_the_file(cli, ws):
    code, out, err = cli("segment", "--k", "2")
    run_id = _run_id(out)
    (ws.root / "runs" / "segments" / run_id / "metrics.json").write_text("{}")
    code, out, err = cli("runs", "show", run_id)
    assert code == 2 and f"saved run {run_id}:" in err and "metrics.json was changed" in err
    code, out, err = cli("runs", "list")
    assert code == 0 and f"{run_id}" in out and "damaged" not in out  # metadata still verifies; files at show


def test_classify_and_clv_commands_save_their_run_and_models(cli, ws):
    code, out, err = cli("classify", "--seed", "3", "--horizon-days", "30")
    assert code == 0, err
    classify = load_run(ws, _run_id(out))
    assert classify.metadata["parameters"] == {"horizon_days": 30, "target": None, "labels": None, "seed": 3}
    tree_ref = next(m for m in classify.metadata["models"] if m["key"] == "tree")
    tree, version = ws.registry().load(tree_ref["name"], tree_ref["version"])
    assert type(tree).__name__ == "DecisionTreeClassifier" and version.metadata["run_id"] == classify.run_id
    assert tree.get_depth() == classify.result.metrics["max_depth"]
    code, out, err = cli("clv", "--model", "bgnbd", "--horizon-days", "30")
    assert code == 0, err
    clv = load_run(ws, _run_id(out))
    assert clv.metadata["parameters"] == {"horizon_days": 30, "model": "bgnbd"}
    params, _ = ws.registry().load("clv-parameters")
    assert params["purchase_model"] == "bgnbd"
    assert params["purchase_parameters"] == clv.result.metrics["bgnbd"]
    assert set(params["gamma_gamma"]) == set(clv.result.metrics["gamma_gamma"])


def test_runs_list_shows_the_parameters_beyond_the_defaults():
    from shopmine.cli.runs_cmd import _short

    assert _short("segments", {"k": None, "seed": 42}) == "defaults"
    assert _short("segments", {"k": 3, "seed": 42}) == "k=3"
    assert _short("forecast", {"horizon": 28, "top": 50, "model": "auto", "freq": "D"}) == "horizon=28, top=50"
    # A classic model run has no Shop method: every parameter given is shown.
    assert _short("model_tree", {"data": "rows.csv", "max_depth": 2}) == "data=rows.csv, max_depth=2"
