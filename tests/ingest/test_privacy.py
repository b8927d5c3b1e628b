"""Pseudonymisation: keyed, stable, and the key never leaves the workspace."""

from __future__ import annotations

import hashlib
import hmac
import re

import duckdb
import pytest

from shopmine.ingest import IngestOptions, ingest
from shopmine.privacy import detect_pii_columns, looks_like_pii_name, mask_contacts, pseudonym

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


def test_pii_column_names_cover_contact_and_delivery_fields():
    assert all(looks_like_pii_name(c) for c in ["cell", "Cell Phone", "recipient", "Recipient Name", "ship_to",
                                                "Ship To", "ShipTo", "bill_to", "Contact", "contact_person",
                                                "deliver_to", "consignee", "IP", "ip_address", "date_of_birth",
                                                "DOB", "fax"])
    # look-alikes that are not personal: totals, methods, cells of a grid, product codes, tips
    assert not any(looks_like_pii_name(c) for c in ["bill_total", "shipping_method", "shipping_cost", "cellar",
                                                    "excellent", "tip", "zone", "description", "stock_code"])


def test_online_retail_columns_are_not_flagged_as_personal(online_retail_files):
    """Neither by name nor by content (every line of the 13 monthly files is read): product ids,
    invoice numbers, prices, dates, countries and the free-text Description hold no contact detail."""
    con = duckdb.connect()
    relation = f"read_csv({[str(p) for p in online_retail_files]!r}, all_varchar=true, header=true)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    assert columns == ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                       "CustomerID", "Country"]
    assert detect_pii_columns(con, relation, columns, set()) == {}


@pytest.mark.parametrize(("text", "masked"), [
    ("call me at +44 7700 900123 after 6", "call me at {+44 7700 900123} after 6"),
    ("mail anna.b@example.co.uk or (555) 123-4567", "mail {anna.b@example.co.uk} or {(555) 123-4567}"),
    ("07700 900123", "{07700 900123}"),
    ("06 12 34 56 78", "{06 12 34 56 78}"),
    ("555-123-4567", "{555-123-4567}"),
    # not phones: dates, times, prices, zero-padded ids, barcodes, short + numbers, product codes
    ("2011-12-01 08:26:00", "2011-12-01 08:26:00"),
    ("01.12.2011 08:26", "01.12.2011 08:26"),
    ("12/01/2011 8:26", "12/01/2011 8:26"),
    ("0000012345", "0000012345"),
    ("5012345678900", "5012345678900"),
    ("1234567.89 +12.50", "1234567.89 +12.50"),
    ("+1 2 3", "+1 2 3"),
    ("SET OF 3 CAKE TINS 85123A", "SET OF 3 CAKE TINS 85123A"),
])
def test_contact_patterns_find_emails_and_phones_inside_text(text, masked):
    key = b"k" * 32
    expected = re.sub(r"\{([^}]*)\}", lambda m: pseudonym(m.group(1), key), masked)
    assert mask_contacts(text, key) == expected


def test_pseudonymize_detects_personal_columns_by_content(ws, tmp_path):
    """A phone in one note of many (past any sample), e-mails under a plain name: whole columns replaced."""
    note = "box +1 2 3 or ring 020 7946 0958 first"  # a number too short to be a phone comes first
    lines = [f"{i},c{i % 7},p,2024-01-{1 + i % 28:02d},1,2,{note if i == 1500 else 'ok'},"
             f"u{i}@shop-mail.example,R{i:05d}" for i in range(1, 2001)]
    path = write(tmp_path / "a.csv", "order_id,customer_id,product_id,ordered_at,quantity,unit_price,"
                                     "remarks,login,ref\n" + "\n".join(lines) + "\n")
    report = ingest(ws, [path], options=IngestOptions(pseudonymize=True))
    key = ws.pseudonym_key()
    assert report.files[0].pseudonymized_columns == {"customer_id": "customer id",
                                                     "remarks": "content: phone numbers",
                                                     "login": "content: e-mail addresses"}
    con = ws.warehouse().con
    # the whole value becomes one token (equal notes stay equal), not only the matched number
    assert con.execute("SELECT remarks FROM orders WHERE order_id = '1500'").fetchone()[0] == pseudonym(note, key)
    assert con.execute("SELECT count(DISTINCT remarks), min(remarks) FROM orders WHERE order_id <> '1500'"
                       ).fetchone() == (1, pseudonym("ok", key))
    assert con.execute("SELECT ref FROM orders WHERE order_id = '7'").fetchone()[0] == "R00007"  # not personal


def test_pseudonymize_masks_quarantine_details_and_withholds_malformed_lines(ws, tmp_path):
    # line 2: the e-mail landed in the quantity column (quarantined, detail quotes it); line 3: malformed
    path = write(tmp_path / "a.csv", "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                                     "1,c1,p,2024-01-01,zoe@example.org,2\n"
                                     "2,c2,p,2024-01-01,1,2,yan@example.org\n"
                                     "3,c3,p,2024-01-01,1,2\n")
    ingest(ws, [path], options=IngestOptions(pseudonymize=True))
    key = ws.pseudonym_key()
    rows = ws.warehouse().con.execute("SELECT source_line, reason, detail, raw FROM quarantine ORDER BY 1").fetchall()
    assert [r[:3] for r in rows] == [
        (2, "unparseable_number", f"quantity '{pseudonym('zoe@example.org', key)}'"),
        (3, "malformed_line", "too many columns: Expected Number of Columns: 6 Found: 7"),
    ]
    assert f'"quantity":"{pseudonym("zoe@example.org", key)}"' in rows[0][3]
    assert rows[1][3] == ("(withheld: pseudonymised ingest; line fingerprint "
                          f"{pseudonym('2,c2,p,2024-01-01,1,2,yan@example.org', key)})")


def test_pseudonymize_customers_file_withholds_malformed_lines(ws, tmp_path):
    orders = write(tmp_path / "o.csv", "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                                       "1,c1,p,2024-01-01,1,2\n")
    customers = write(tmp_path / "c.csv", "customer_id,tier\nc1,gold\nc2,silver,xu@example.org\n")
    report = ingest(ws, [orders], customers=[customers], options=IngestOptions(pseudonymize=True))
    assert report.files[1].pseudonymized_columns == {"customer_id": "customer id"}
    raw = ws.warehouse().con.execute("SELECT raw FROM quarantine WHERE source_file LIKE '%c.csv'").fetchone()[0]
    assert "xu@" not in raw and raw.startswith("(withheld: pseudonymised ingest")


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
