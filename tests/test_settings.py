"""The settings registry: precedence, parsing, errors, and the workspace file."""

from __future__ import annotations

import datetime as dt

import pytest

from shopmine.errors import ShopmineInputError
from shopmine.settings import SETTINGS, resolve_settings
from shopmine.workspace import Workspace


def test_precedence_cli_then_env_then_file_then_default():
    file = {"engine": "spark", "timezone": "Europe/Paris", "preset": "shopify"}
    env = {"SHOPMINE_TIMEZONE": "Asia/Tokyo", "SHOPMINE_PRESET": "online_retail"}
    s = resolve_settings({"preset": "transactions", "engine": None}, file, env)
    assert s.preset == "transactions" and s.sources["preset"] == "cli"
    assert s.timezone == "Asia/Tokyo" and s.sources["timezone"] == "env"
    assert s.engine == "spark" and s.sources["engine"] == "file"
    assert s.spark_master == "local[2]" and s.sources["spark_master"] == "default"


def test_values_are_parsed_by_kind():
    s = resolve_settings({"as_of": "2011-12-01", "pii": "email, phone,"},
                         {"pseudonymize": "yes"}, {"SHOPMINE_DROP_DUPLICATES": "0"})
    assert s.as_of == dt.date(2011, 12, 1)
    assert s.pii == ["email", "phone"]
    assert s.pseudonymize is True and s.drop_duplicates is False
    assert s.cancel_window_days == 30 and s.sources["cancel_window_days"] == "default"
    assert resolve_settings({}, {}, {"SHOPMINE_CANCEL_WINDOW_DAYS": " 7"}).cancel_window_days == 7


@pytest.mark.parametrize(("cli", "message"), [
    ({"engine": "postgres"}, "setting 'engine' \\(from command line\\) must be one of duckdb, spark"),
    ({"as_of": "yesterday"}, "must be a date like 2011-12-01. Got 'yesterday' instead"),
    ({"pseudonymize": "perhaps"}, "must be true or false"),
    ({"cancel_window_days": "a week"}, "setting 'cancel_window_days' .* must be a whole number >= 0. Got 'a week'"),
    ({"cancel_window_days": -3}, "must be a whole number >= 0. Got -3 instead"),
])
def test_bad_values_name_the_setting(cli, message):
    with pytest.raises(ShopmineInputError, match=message):
        resolve_settings(cli, {}, {})


def test_unknown_file_setting_is_refused():
    with pytest.raises(ShopmineInputError, match="unknown setting\\(s\\) egnine"):
        resolve_settings({}, {"egnine": "duckdb"}, {})


def test_workspace_file_and_mapping(tmp_path):
    ws = Workspace(tmp_path / "shop")
    text = ws.config_path.read_text()
    assert all(f"# {s.name} =" in text for s in SETTINGS)  # the template documents every setting
    ws.config_path.write_text('timezone = "Europe/London"\n[mapping]\nordered_at = "TRANSACTION_DT"\n')
    ws = Workspace(tmp_path / "shop", {"engine": None}, create=False)
    assert ws.settings.timezone == "Europe/London"
    assert ws.mapping == {"ordered_at": "TRANSACTION_DT"}


def test_broken_toml_names_the_file(tmp_path):
    ws = Workspace(tmp_path / "shop")
    ws.config_path.write_text("timezone = \n")
    with pytest.raises(ShopmineInputError, match="shopmine.toml is not valid TOML"):
        Workspace(tmp_path / "shop")


def test_missing_workspace_without_create(tmp_path):
    with pytest.raises(ShopmineInputError, match="shopmine init"):
        Workspace(tmp_path / "nowhere", create=False)


def test_every_setting_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme or s.env_var not in readme]
    assert missing == [], f"settings missing from README.md: {missing}"


def test_int_and_date_window_settings_are_parsed_and_checked():
    s = resolve_settings({}, {"future_order_days": 7}, {"SHOPMINE_EARLIEST_ORDER_DATE": "2001-02-03"})
    assert s.future_order_days == 7 and s.earliest_order_date == dt.date(2001, 2, 3)
    defaults = resolve_settings({}, {}, {})
    assert defaults.future_order_days == 1 and defaults.earliest_order_date == dt.date(1990, 1, 1)
    with pytest.raises(ShopmineInputError, match="setting 'future_order_days' \\(from SHOPMINE_FUTURE_ORDER_DAYS\\) "
                                                 "must be a whole number >= 0. Got '-2' instead"):
        resolve_settings({}, {}, {"SHOPMINE_FUTURE_ORDER_DAYS": "-2"})
