"""The list of command modules; each has ``register(app)``."""

from shopmine.cli import init_cmd

MODULES = [init_cmd]
