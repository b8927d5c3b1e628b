"""The shop's currency (setting, orders' column, Online Retail preset) and amounts written in it."""

from __future__ import annotations

import pytest

from shopmine.currency import check_currency, detect_currency, format_amount
from shopmine.errors import ShopmineInputError
from shopmine.ingest import IngestOptions
from shopmine.settings import resolve_settings
from shopmine.shop import Shop
from shopmine.workspace import Workspace

from features.helpers import toy_orders


@pytest.mark.parametrize(("value", "currency", "text"), [
    (171_499.6, "GBP", "£171,500"),
    (171_500.4, "USD", "$171,500"),
    (999.994, "EUR", "€999.99"),
    (999.996, "EUR", "€1,000.00"),  # rounds to cents below 1,000, as the value it was
    (12.345, None, "12.35"),
    (-1_234.5, "GBP", "-£1,234"),  # 1,234.5 rounds half to even
    (-0.001, "GBP", "£0.00"),  # no sign on an amount that rounds to zero
    (171_499.6, "SEK", "171,500 SEK"),
    (float("nan"), "GBP", ""),
    (None, "GBP", ""),
])
def test_amounts(value, currency, text):
    assert format_amount(value, currency) == text


def test_currency_codes_are_checked():
    assert check_currency(" gbp ", "setting 'currency'") == "GBP"
    with pytest.raises(ShopmineInputError, match="setting 'currency' .* must be a three-letter ISO 4217 "
                                                 "currency code such as GBP, USD or EUR. Got 'pounds' instead"):
        resolve_settings({}, {"currency": "pounds"}, {})
    assert resolve_settings({}, {}, {"SHOPMINE_CURRENCY": "usd"}).currency == "USD"
    assert resolve_settings({}, {}, {}).currency is None


def _line(currency, i=0):
    return {"order_id": f"o{i}", "customer_id": "c1", "product_id": "A", "ordered_at": "2021-01-04 10:00",
            "quantity": 1, "unit_price": 2.0, "currency": currency}


def test_currency_is_detected_only_when_the_lines_hold_one_code():
    assert detect_currency(toy_orders([_line("GBP"), _line(None, 1), _line("gbp", 2)])) == "GBP"
    assert detect_currency(toy_orders([_line("GBP"), _line("EUR", 1)])) is None  # several: plain numbers
    assert detect_currency(toy_orders([_line(None)])) is None
    assert detect_currency(toy_orders([_line("£")])) is None  # not a code
    assert detect_currency(toy_orders([_line("GBP")]).drop("currency")) is None


def test_online_retail_preset_is_in_pounds_and_the_setting_wins(tmp_path):
    (tmp_path / "uci.csv").write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n"
        "C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,12/1/2010 9:49,4.65,15311.0,United Kingdom\n"
        "536370,22728,ALARM CLOCK BAKELIKE PINK,24,12/13/2010 8:45,3.75,12583.0,France\n")
    ws = Workspace(tmp_path / "ws")
    shop = Shop(ws)
    shop.ingest([tmp_path / "uci.csv"], options=IngestOptions(preset="online_retail"))
    assert ws.warehouse().con.execute("SELECT DISTINCT currency FROM orders").fetchall() == [("GBP",)]
    assert shop.currency == "GBP"
    ws.config_path.write_text('currency = "chf"\n')
    assert Shop(Workspace(tmp_path / "ws", create=False)).currency == "CHF"
    # A log without a currency column, and no setting: plain numbers.
    (tmp_path / "plain.csv").write_text("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                                        "o1,c1,p1,2024-01-05 10:00:00,2,3.50\n")
    plain = Shop(Workspace(tmp_path / "plain"))
    plain.ingest([tmp_path / "plain.csv"])
    assert plain.currency is None
