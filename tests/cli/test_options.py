"""Defaults are written once, in the library, and errors get the option's spelling in one place."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from shopmine.cli.app import _register_commands, app
from shopmine.cli.options import option_names
from shopmine.errors import ShopmineInputError
from shopmine.shop import Shop, defaults

_register_commands()
ROOT = typer.main.get_command(app)

COMMANDS = [(("forecast",), Shop.forecast), (("segment",), Shop.segments), (("classify",), Shop.classify),
            (("clv",), Shop.clv), (("quality",), Shop.quality), (("features", "panel"), Shop.panel),
            (("demo",), Shop.demo)]


def _command(path):
    command = ROOT
    for name in path:
        command = command.commands[name]
    return command


@pytest.mark.parametrize(("path", "method"), COMMANDS)
def test_every_option_defaults_to_the_shop_methods_default(path, method):
    library = defaults(method)
    shared = [p for p in _command(path).params if p.name in library]
    assert shared, path  # the command exposes the method's parameters under the same Python names
    for param in shared:
        expected = library[param.name]
        got = param.default
        assert (str(got) if isinstance(got, Path) else got) == expected, (path, param.name)


def test_forecast_command_and_library_agree_on_every_series_in_units():
    # Once two defaults (top=10, revenue in Shop.forecast; every series, units in the command).
    forecast = {p.name: p.default for p in _command(("forecast",)).params}
    assert (forecast["top"], forecast["measure"], forecast["windows"]) == (None, "units", 2)
    assert {k: defaults(Shop.forecast)[k] for k in ("top", "measure", "windows")} == \
        {"top": None, "measure": "units", "windows": 2}


def test_option_names_follow_the_command_that_ran():
    names = option_names(ROOT, ["-w", "ws", "forecast", "--backtest", "3"])
    assert (names["windows"], names["horizon"], names["as_of"], names["workspace"]) == \
        ("--backtest", "--horizon", "--as-of", "--workspace")
    assert option_names(ROOT, ["clv", "--horizon-days", "0"])["horizon_days"] == "--horizon-days"
    assert option_names(ROOT, ["ingest", "x.csv", "--map", "a=b"])["mapping"] == "--map"
    assert option_names(ROOT, ["features", "panel"])["level"] == "--level"
    # A global option's value that happens to be a command name does not derail the walk.
    assert option_names(ROOT, ["--workspace", "report", "segment"])["k"] == "--k"


def test_a_message_is_rendered_per_shell():
    err = ShopmineInputError("{future} needs {data}.", "future", mentions=("data",))
    assert str(err) == "future needs data."
    names = option_names(ROOT, ["forecast"])
    assert err.render(lambda name: names.get(name, name)) == "--future needs --data."
    assert err.render(lambda name: f"`{name}` field") == "`future` field needs `data` field."
