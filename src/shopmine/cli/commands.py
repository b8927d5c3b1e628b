"""The list of command modules; each has ``register(app)``."""

from shopmine.cli import features_cmd, ingest_cmd, init_cmd, quality_cmd, report_cmd, simulate_cmd

MODULES = [init_cmd, ingest_cmd, quality_cmd, features_cmd, report_cmd, simulate_cmd]
