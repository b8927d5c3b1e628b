"""Pseudonymisation: keyed, stable, and the key never leaves the workspace."""

from __future__ import annotations

import hashlib
import hmac

from shopmine.ingest import IngestOptions, ingest
from shopmine.privacy import looks_like_pii_name, pseudonym

HEADER = "order_id,customer_id,product_id,ordered_at,quantity,unit_price,Customer Email,Phone,Gift Note\n"


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_token_is_hmac_sha256_of_the_value():
    key = b"k" * 32
    expected = "p_" + hmac.new(key, b"17850", hashlib.sha256).hexdigest()[:20]
    assert pseudonym("17850", key) == expected
    assert pseudonym("17850", b"other key") != expected


def test_pii_column_names():
    assert all(looks_like_pii_name(c) for c in ["Email", "e-mail", "Billing Name", "Phone", "Shipping Street",
                                                "zip", "Postal Code", "first_name"])
    assert not any(looks_like_pii_name(c) for c in ["name", "product_name", "quantity", "Country", "status"])


def test_pseudonymized_ingest_replaces_ids_and_personal_columns(ws, tmp_path):
    a = write(tmp_path / "a.csv", HEADER + "1,17850.0,p,2024-01-01,1,2,anna@example.com,+44 1234 567890,hi\n"
                                           "2,17851,p,2024-01-01,1,2,bob@example.com,0123,thanks\n")
    b = write(tmp_path / "b.csv", "order_id,customer_id,product_id,ordered_at,quantity,unit_price,contact\n"
                                  "3,17850,p,2024-02-01,1,2,anna@example.com\n"
                                  "4,17852,p,2024-02-01,1,2,eve@example.com\n")
    report = ingest(ws, [a, b], options=IngestOptions(pseudonymize=True, pii=()))
    key = ws.pseudonym_key()
    con = ws.warehouse().con
    rows = con.execute("SELECT order_id, customer_id, customer_email, phone, gift_note, contact FROM orders "
                       "ORDER BY order_id").fetchall()
    # the same customer gets the same token in both files, whatever the id's spreadsheet spelling
    assert rows[0][1] == rows[2][1] == pseudonym("17850", key)
    assert rows[1][1] == pseudonym("17851", key)
    assert rows[0][2] == pseudonym("anna@example.com", key) == rows[2][5]  # "contact" holds e-mails
    assert rows[0][3] == pseudonym("+44 1234 567890", key)
    assert rows[0][4] == "hi"  # not personal data
    assert report.files[0].pseudonymized_columns == {"customer_id": "customer id", "Customer Email": "name",
                                                     "Phone": "name"}
    assert report.files[1].pseudonymized_columns == {"customer_id": "customer id", "contact": "name"}
    dump = " ".join(str(v) for v in con.execute("SELECT * FROM orders").fetchall())
    assert "anna" not in dump and "17850" not in dump
    assert key.hex() not in dump and (ws.root / ".secret" / "pseudonym.key").stat().st_mode & 0o077 == 0


def test_quarantined_rows_of_a_pseudonymized_ingest_hold_no_clear_values(ws, tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "1,17850,p,2024-01-01,many,2,anna@example.com,0123,x\n")
    ingest(ws, [path], options=IngestOptions(pseudonymize=True, pii=("Gift Note",)))
    raw = ws.warehouse().con.execute("SELECT raw FROM quarantine").fetchone()[0]
    assert "anna" not in raw and "17850" not in raw and '"Gift Note":"p_' in raw
