"""The ``shopmine`` command line: thin Typer commands over the library API."""
