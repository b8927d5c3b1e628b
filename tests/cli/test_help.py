"""``--help`` of every command: allowed values of choice options, canonical columns, no Python type names."""

from __future__ import annotations

import re

import pytest

from shopmine.classic.logistic import PENALTIES
from shopmine.classic.tree import CRITERIA
from shopmine.cli.app import _register_commands, command
from shopmine.customers.clv import MODEL_CHOICES
from shopmine.features.periods import FREQS as PANEL_FREQS
from shopmine.features.sales_panel import LEVELS
from shopmine.forecast.data import FREQS as FORECAST_FREQS
from shopmine.forecast.hierarchy import RECONCILE_METHODS
from shopmine.forecast.run import MODELS
from shopmine.forecast.sources import MEASURES
from shopmine.io.mapping import MAPPABLE
from shopmine.io.presets import PRESETS
from shopmine.pricing.elasticity import METHODS as PRICE_METHODS
from shopmine.pricing.rules import OBJECTIVES
from shopmine.schema import PRODUCT_COLUMNS
from shopmine.settings import SETTINGS
from shopmine.simulate.writer import FORMATS

ENGINES = next(s.choices for s in SETTINGS if s.name == "engine")

#: (command path, option, the library's allowed values): help must list exactly these.
CHOICES = [
    ((), "--engine", ENGINES),
    (("ingest",), "--preset", tuple(PRESETS)),
    (("features", "panel"), "--level", LEVELS),
    (("features", "panel"), "--freq", PANEL_FREQS),
    (("forecast",), "--level", LEVELS),
    (("forecast",), "--freq", FORECAST_FREQS),
    (("forecast",), "--measure", MEASURES),
    (("forecast",), "--model", MODELS),
    (("forecast",), "--reconcile", RECONCILE_METHODS),
    (("clv",), "--model", MODEL_CHOICES),
    (("price",), "--objective", OBJECTIVES),
    (("price",), "--method", PRICE_METHODS),
    (("model", "tree"), "--criterion", CRITERIA),
    (("model", "logistic"), "--penalty", PENALTIES),
    (("simulate",), "--format", FORMATS),
]


def _paths(cmd, path=()):
    yield path
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _paths(sub, (*path, name))


_register_commands()
COMMAND_PATHS = sorted(_paths(command()))


@pytest.fixture
def help_of(run, monkeypatch):
    # Wide enough that Rich neither folds a long list of values nor wraps an option's row.
    monkeypatch.setenv("COLUMNS", "250")

    def _help(path) -> str:
        code, out, err = run(*path, "--help")
        assert code == 0, err
        return out
    return _help


def test_every_command_is_checked():
    # The walk must reach the subcommands, or the test below proves nothing about them.
    assert {("features", "panel"), ("model", "predict"), ("batches", "remove"), ("forecast",), ()} <= set(COMMAND_PATHS)
    assert len(COMMAND_PATHS) >= 20


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "shopmine")
def test_help_shows_no_python_types(help_of, path):
    text = help_of(path)
    assert "--help" in text
    found = re.findall(r"<(?:bool|str|list\[[^>]*\]|tuple[^>]*|NoneType)>", text)
    assert not found, f"`shopmine {' '.join(path)} --help` shows {found}"


@pytest.mark.parametrize(("path", "option", "values"), CHOICES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_help_lists_the_allowed_values(help_of, path, option, values):
    line = next(line for line in help_of(path).splitlines() if f" {option} " in line)
    assert f"<{'|'.join(values)}>" in line


def test_map_help_lists_the_canonical_columns(help_of):
    # The list wraps over rows of the help table: drop its borders and join the rows.
    text = " ".join(help_of(("ingest",)).replace("│", " ").split())
    orders = re.search(r"--map <CANONICAL=SOURCE> .*?Canonical columns: ([a-z_, ]+)\.", text)
    products = re.search(r"--products-map <CANONICAL=SOURCE> .*?Canonical columns: ([a-z_, ]+)\.", text)
    assert orders and orders.group(1).split(", ") == list(MAPPABLE)
    assert products and products.group(1).split(", ") == list(PRODUCT_COLUMNS)


def test_flags_take_no_value_word(help_of):
    line = next(line for line in help_of(("ingest",)).splitlines() if "--allow-reload" in line)
    assert re.search(r"--allow-reload\s+Load lines", line)
