"""The one settings registry behind the CLI, the environment and ``shopmine.toml``.

Precedence: command line, then environment ``SHOPMINE_<NAME>``, then the workspace file, then the
default. Every setting is documented in README.md (a test fails otherwise).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shopmine.errors import ShopmineInputError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: str = "str"  # str | bool | int | list | date | choice | currency
    choices: tuple[str, ...] = ()

    @property
    def env_var(self) -> str:
        return f"SHOPMINE_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("engine", "duckdb", "Query engine for feature tables: duckdb (embedded) or spark.", "choice",
            ("duckdb", "spark")),
    Setting("as_of", None, "Analysis date (YYYY-MM-DD): features and models see only data before it. "
            "Default: the day after the last order.", "date"),
    Setting("timezone", "UTC", "Shop's local time zone; zone-aware timestamps are converted to it and "
            "stored without a zone."),
    Setting("date_format", None, "strftime format of the order date column (e.g. %d/%m/%Y %H:%M) when "
            "it cannot be detected."),
    Setting("delimiter", None, "CSV delimiter; sniffed when not given."),
    Setting("encoding", None, "CSV encoding (utf-8, utf-16, latin-1); sniffed when not given."),
    Setting("preset", None, "Column layout preset: online_retail, shopify, transactions."),
    Setting("pseudonymize", False, "Replace customer ids and personal data by keyed hashes at ingest.",
            "bool"),
    Setting("pii", [], "Extra columns to pseudonymise (comma-separated).", "list"),
    Setting("drop_duplicates", False, "Quarantine exact duplicate lines instead of only counting them.",
            "bool"),
    Setting("earliest_order_date", dt.date(1990, 1, 1), "Order dates before this day (YYYY-MM-DD) are "
            "quarantined as date_out_of_range.", "date"),
    Setting("future_order_days", 1, "Order dates more than this many days after the ingest time are "
            "quarantined as date_out_of_range.", "int"),
    # 30 days: on Online Retail half of the C invoices follow their sale within 9 days and two thirds
    # within 30; later ones are returns of goods kept a while, which should not erase old demand.
    Setting("cancel_window_days", 30, "Days after a sale within which a cancellation of the same customer "
            "and product (a negative line with a cancelled status, e.g. a C... invoice) removes it from "
            "demand, purchases and spend; later ones are returns.", "int"),
    Setting("currency", None, "ISO 4217 code of the shop's currency (GBP, USD, EUR ...) for amounts in the "
            "CLI and the report (GBP, USD and EUR as £, $, €; others after the number). Default: the "
            "orders' currency column when it holds one code, else plain numbers.", "currency"),
    Setting("busy_timeout_seconds", 30, "Seconds a command waits for another process's command on the same "
            "workspace (an ingest, or readers when it writes) before it fails with \"the workspace is busy\".",
            "int"),
    Setting("spark_master", "local[2]", "Spark master URL used by the spark engine: local[N] (this machine, "
            "N cores), spark://HOST:PORT (standalone cluster), yarn, k8s://https://HOST:PORT."),
    Setting("spark_driver_memory", "4g", "Heap of the Spark driver (the shopmine process), e.g. 8g; feature "
            "tables collected for the models must fit in it."),
    Setting("spark_executor_memory", "1g", "Heap of each Spark executor on a cluster, e.g. 4g; must fit in a "
            "worker's memory (local mode has no executors)."),
    Setting("spark_executor_cores", None, "Cores of each Spark executor on a cluster. Default: the cluster "
            "manager's (a standalone worker's every core, one on YARN).", "int"),
    Setting("spark_python", None, "Python interpreter the Spark executors run (PYSPARK_PYTHON): on a cluster, a "
            "path valid on every worker, with shopmine installed. Default: $PYSPARK_PYTHON, else the "
            "driver's own interpreter."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

#: The tables of ``shopmine.toml`` besides the settings: column mappings of order and products files.
TABLES = ("mapping", "products_mapping")


def _parse(setting: Setting, value: Any, source: str) -> Any:
    if value is None:
        return None
    where = f"setting '{setting.name}' (from {source})"
    if setting.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise ShopmineInputError(f"{where} must be true or false. Got {value!r} instead.")
    if setting.kind == "list":
        if isinstance(value, (list, tuple)):
            return [str(v).strip() for v in value if str(v).strip()]
        return [part.strip() for part in str(value).split(",") if part.strip()]
    if setting.kind == "int":
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if number < 0 or isinstance(value, (bool, float)):
            raise ShopmineInputError(f"{where} must be a whole number >= 0. Got {value!r} instead.")
        return number
    if setting.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ShopmineInputError(
                f"{where} must be a date like 2011-12-01. Got {value!r} instead."
            ) from None
    if setting.kind == "currency":
        from shopmine.currency import check_currency

        return check_currency(value, where)
    if setting.kind == "choice":
        text = str(value).strip().lower()
        if text not in setting.choices:
            raise ShopmineInputError(
                f"{where} must be one of {', '.join(setting.choices)}. Got {value!r} instead."
            )
        return text
    text = str(value)
    return text if text != "" else None


class Settings(Mapping[str, Any]):
    """Resolved settings, read like a mapping or by attribute (``settings.engine``)."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str]):
        self._values = values
        self.sources = sources

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def resolve_settings(
    cli: Mapping[str, Any] | None = None,
    file: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the sources in precedence order: ``cli`` > ``environ`` > ``file`` > default.

    ``None`` in ``cli`` means "not given on the command line".
    """
    cli = cli or {}
    file = file or {}
    environ = os.environ if environ is None else environ
    unknown = sorted(set(file) - set(SETTINGS_BY_NAME) - set(TABLES))
    if unknown:
        raise ShopmineInputError(
            f"shopmine.toml has unknown setting(s) {', '.join(unknown)}; known settings: "
            f"{', '.join(SETTINGS_BY_NAME)} (and the tables {', '.join(f'[{t}]' for t in TABLES)})."
        )
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in SETTINGS:
        if cli.get(s.name) is not None:
            values[s.name], sources[s.name] = _parse(s, cli[s.name], "command line"), "cli"
        elif s.env_var in environ:
            values[s.name], sources[s.name] = _parse(s, environ[s.env_var], s.env_var), "env"
        elif s.name in file:
            values[s.name], sources[s.name] = _parse(s, file[s.name], "shopmine.toml"), "file"
        else:
            values[s.name], sources[s.name] = s.default, "default"
    return Settings(values, sources)


def config_template() -> str:
    """The commented ``shopmine.toml`` that ``shopmine init`` writes."""
    lines = ["# shopmine workspace settings. Command line and SHOPMINE_* variables override these.", ""]
    for s in SETTINGS:
        lines.append(f"# {s.help}")
        default = s.default
        if default is None or default == []:
            lines.append(f"# {s.name} = ")
        elif isinstance(default, (bool, int)):
            lines.append(f"# {s.name} = {str(default).lower()}")
        else:
            lines.append(f'# {s.name} = "{default}"')
        lines.append("")
    lines += [
        "# Column mapping: canonical name = column in your export, e.g.",
        "# [mapping]",
        '# ordered_at = "TRANSACTION_DT"',
        '# line_total = "SALES_PRICE"',
        "",
        "# Products file mapping (the products file given to ingest): canonical name = column in your file, e.g.",
        "# [products_mapping]",
        '# name = "Title"',
        '# unit_cost = "Cost"',
        "# Its other columns are kept as product attributes.",
        "",
    ]
    return "\n".join(lines)
