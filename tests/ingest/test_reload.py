"""Issue 10, item 6: the same orders never load twice, whatever the bytes of the file around them."""

from __future__ import annotations

import gzip

import pytest

from shopmine.ingest import IngestOptions, ingest
from shopmine.quality import quality_report

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
LINES = ["1,c1,p1,2024-01-01 10:00:00,1,2.5\n", "1,c1,p2,2024-01-01 10:00:00,3,1\n",
         "2,c2,p1,2024-01-02 11:00:00,2,2.5\n", "3,c3,p3,2024-01-03 12:00:00,1,9.99\n"]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def quarantine(ws):
    return ws.warehouse().con.execute(
        "SELECT reason, detail, source_line FROM quarantine ORDER BY source_file, source_line").fetchall()


def stored(ws) -> int:
    return ws.warehouse().con.execute("SELECT count(*) FROM orders").fetchone()[0]


def assert_balanced(report):
    for f in report.files:
        assert f.rows_in == f.rows_loaded + f.rows_quarantined, f


def test_the_same_file_decompressed_loads_nothing_again(ws, tmp_path):
    plain = write(tmp_path / "jan.csv", HEADER + "".join(LINES))
    packed = tmp_path / "jan.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    first = ingest(ws, [plain])
    again = ingest(ws, [packed])
    assert (again.rows_in, again.rows_loaded, again.rows_quarantined) == (4, 0, 4)
    assert again.files[0].quarantined_by_reason == {"duplicate_of_loaded_line": 4}
    assert_balanced(again)
    assert stored(ws) == 4
    assert quarantine(ws) == [("duplicate_of_loaded_line", f"same line as one loaded in batch {first.batch_id}",
                               line) for line in (2, 3, 4, 5)]


def test_the_same_file_with_one_trailing_newline_loads_nothing_again(ws, tmp_path):
    ingest(ws, [write(tmp_path / "jan.csv", HEADER + "".join(LINES))])
    again = ingest(ws, [write(tmp_path / "jan-again.csv", HEADER + "".join(LINES) + "\n")])
    assert (again.rows_in, again.rows_loaded, again.rows_quarantined) == (4, 0, 4)
    assert_balanced(again)
    assert stored(ws) == 4


def test_the_same_lines_reordered_load_nothing_again(ws, tmp_path):
    ingest(ws, [write(tmp_path / "jan.csv", HEADER + "".join(LINES))])
    # Other column order, other number spelling, lines reversed: the same four order lines.
    reordered = "quantity,unit_price,order_id,customer_id,product_id,ordered_at\n" + "".join(
        f"{q}.0,{pr},{o},{c},{p},{d}\n" for o, c, p, d, q, pr in
        (line.strip().split(",") for line in reversed(LINES)))
    again = ingest(ws, [write(tmp_path / "jan-reordered.csv", reordered)])
    assert (again.rows_in, again.rows_loaded, again.rows_quarantined) == (4, 0, 4)
    assert_balanced(again)
    assert stored(ws) == 4


def test_a_file_overlapping_half_an_earlier_one_loads_only_its_new_half(ws, tmp_path):
    ingest(ws, [write(tmp_path / "a.csv", HEADER + "".join(LINES))])
    new = ["4,c4,p1,2024-01-04 09:00:00,1,2.5\n", "5,c1,p2,2024-01-05 09:00:00,2,1\n"]
    again = ingest(ws, [write(tmp_path / "b.csv", HEADER + LINES[2] + new[0] + LINES[3] + new[1])])
    assert (again.rows_in, again.rows_loaded, again.rows_quarantined) == (4, 2, 2)
    assert_balanced(again)
    assert [r[2] for r in quarantine(ws)] == [2, 4]  # the old lines, by their line in b.csv
    assert ws.warehouse().con.execute("SELECT list(order_id ORDER BY order_id) FROM orders").fetchone()[0] == \
        ["1", "1", "2", "3", "4", "5"]


def test_allow_reload_loads_every_line_again(ws, tmp_path):
    plain = write(tmp_path / "jan.csv", HEADER + "".join(LINES))
    ingest(ws, [plain])
    again = ingest(ws, [write(tmp_path / "jan-again.csv", HEADER + "".join(LINES) + "\n")],
                   options=IngestOptions(allow_reload=True))
    assert (again.rows_in, again.rows_loaded, again.rows_quarantined) == (4, 4, 0)
    same_bytes = ingest(ws, [plain], options=IngestOptions(allow_reload=True))  # not skipped either
    assert (same_bytes.files[0].status, same_bytes.rows_loaded) == ("loaded", 4)
    assert stored(ws) == 12
    metrics = quality_report(ws.warehouse()).metrics
    assert metrics["reloaded_lines"] == 8  # every key holds 3 lines, 1 in each batch: 2 repeat it
    assert metrics["invariant_holds"]


def test_allow_reload_cli_flag(run, tmp_path):
    plain = write(tmp_path / "jan.csv", HEADER + "".join(LINES))
    again = write(tmp_path / "jan-again.csv", HEADER + "".join(LINES) + "\n")
    assert run("ingest", str(plain))[0] == 0
    code, out, _ = run("ingest", str(again))
    assert code == 0 and "4 in = 0 loaded + 4 quarantined" in out
    code, out, _ = run("ingest", "--allow-reload", str(again))
    assert code == 0 and "4 in = 4 loaded + 0 quarantined" in out


def test_a_line_repeated_inside_one_file_loads_its_new_copies_only(ws, tmp_path):
    twice = LINES[0] * 2
    first = ingest(ws, [write(tmp_path / "a.csv", HEADER + twice + LINES[1])])
    assert (first.rows_loaded, first.rows_quarantined, first.files[0].duplicate_rows) == (3, 0, 1)
    # n = 3 copies in the new file, m = 2 loaded: the first two are quarantined, the third loads.
    again = ingest(ws, [write(tmp_path / "b.csv", HEADER + LINES[0] * 3)])
    assert (again.rows_in, again.rows_loaded, again.rows_quarantined) == (3, 1, 2)
    assert [r[2] for r in quarantine(ws)] == [2, 3]


def test_the_same_lines_twice_in_one_run_load_once(ws, tmp_path):
    plain = write(tmp_path / "jan.csv", HEADER + "".join(LINES))
    packed = tmp_path / "jan.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes() + b"\n"))
    report = ingest(ws, [plain, packed])
    assert [(f.rows_loaded, f.rows_quarantined) for f in report.files] == [(4, 0), (0, 4)]
    assert {r[1] for r in quarantine(ws)} == {f"same line as one loaded in batch {report.batch_id}"}
    assert stored(ws) == 4


def test_guest_lines_without_order_ids_are_recognised_again(ws, tmp_path):
    text = "customer_id,product_id,ordered_at,quantity,unit_price\n,p1,2024-01-01,1,2\nc1,p2,2024-01-01,1,3\n"
    ingest(ws, [write(tmp_path / "a.csv", text)])
    again = ingest(ws, [write(tmp_path / "b.csv", text + "\n")])
    assert (again.rows_loaded, again.rows_quarantined) == (0, 2)


def test_pseudonymised_lines_are_recognised_again(ws, tmp_path):
    options = IngestOptions(pseudonymize=True)
    ingest(ws, [write(tmp_path / "a.csv", HEADER + "".join(LINES))], options=options)
    again = ingest(ws, [write(tmp_path / "b.csv", HEADER + "".join(LINES) + "\n")], options=options)
    assert (again.rows_loaded, again.rows_quarantined) == (0, 4)
    raw = ws.warehouse().con.execute("SELECT string_agg(raw, ' ') FROM quarantine").fetchone()[0]
    assert '"c1"' not in raw and '"customer_id":' in raw  # the canonical values, pseudonymised


def test_a_workspace_from_before_line_keys_gets_them_on_open(ws, tmp_path):
    text = "customer_id,product_id,ordered_at,quantity,unit_price\n,p1,2024-01-01,1,2\nc1,p2,2024-01-01,1,3\n"
    ingest(ws, [write(tmp_path / "a.csv", text)])
    ws.warehouse().con.execute("DROP TABLE line_keys")
    ws.warehouse().con.execute("DROP TABLE key_batches")
    ws.warehouse().close()
    assert ws.warehouse().con.execute("SELECT count(*) FROM line_keys").fetchone()[0] == 2
    again = ingest(ws, [write(tmp_path / "b.csv", text + "\n")])
    assert (again.rows_loaded, again.rows_quarantined) == (0, 2)


def test_quality_counts_duplicates_of_loaded_lines(ws, tmp_path):
    first = ingest(ws, [write(tmp_path / "a.csv", HEADER + "".join(LINES))])
    ingest(ws, [write(tmp_path / "b.csv", HEADER + LINES[0] + "9,c9,p9,2024-02-01,1,1\n")])
    result = quality_report(ws.warehouse())
    metrics = result.metrics
    assert (metrics["rows_in"], metrics["rows_loaded"], metrics["rows_quarantined"]) == (6, 5, 1)
    assert metrics["duplicates_of_loaded_lines"] == 1
    assert metrics["reloaded_lines"] == 0
    assert "1 line(s) already loaded by an earlier batch (quarantined)" in result.summary
    example = result.tables["quarantine_by_reason"].set_index("reason").loc["duplicate_of_loaded_line", "example"]
    assert example == f"same line as one loaded in batch {first.batch_id}"


@pytest.mark.parametrize("drop", [False, True])
def test_drop_duplicates_still_governs_repeats_inside_a_file(ws, tmp_path, drop):
    report = ingest(ws, [write(tmp_path / "a.csv", HEADER + LINES[0] * 2)],
                    options=IngestOptions(drop_duplicates=drop))
    assert (report.rows_loaded, report.rows_quarantined) == ((1, 1) if drop else (2, 0))


def test_a_reexport_with_renamed_products_still_counts_as_the_same_lines(ws, tmp_path):
    header = "order_id,customer_id,product_id,ordered_at,quantity,unit_price,name,country\n"
    ingest(ws, [write(tmp_path / "a.csv", header + "1,c1,p1,2024-01-01,1,2,Mug,UK\n2,c2,p2,2024-01-02,1,3,Cup,UK\n")])
    again = ingest(ws, [write(tmp_path / "b.csv", header + "1,c1,p1,2024-01-01,1,2,Mug (blue),United Kingdom\n"
                                                            "2,c2,p2,2024-01-02,2,3,Cup,UK\n")])
    # Line 1 only renamed: the same line. Line 2 has another quantity: a new line.
    assert (again.rows_loaded, again.rows_quarantined) == (1, 1)
    assert [r[2] for r in quarantine(ws)] == [2]
