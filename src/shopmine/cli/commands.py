"""The list of command modules; each has ``register(app)``."""

from shopmine.cli import ingest_cmd, init_cmd, quality_cmd

MODULES = [init_cmd, ingest_cmd, quality_cmd]
