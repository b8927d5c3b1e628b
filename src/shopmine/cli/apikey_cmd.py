"""``shopmine apikey create|list|revoke``: the keys the REST API (``shopmine serve``) accepts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from shopmine.api.keys import KeyStore
from shopmine.cli.context import console, state

apikey_app = typer.Typer(help="API keys for `shopmine serve`: create one (shown once), list them, revoke one.",
                         no_args_is_help=True)


def _store(ctx: typer.Context) -> KeyStore:
    return KeyStore(state(ctx).workspace().secret_dir)


@apikey_app.command("create")
def create_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="A name to list and revoke the key by "
                                             "(default key-N).")] = None,
) -> None:
    """Create a key and print it once on stdout; only its keyed hash is stored (in the workspace's .secret/)."""
    key = _store(ctx).create(name)
    # The key alone on stdout, so that `KEY=$(shopmine apikey create)` captures it; the note goes to stderr.
    typer.echo(key)
    typer.echo("store this key now: it is not shown again (send it as X-API-Key or Authorization: Bearer).",
               err=True)


@apikey_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Each key's name, when it was created and whether it is revoked (never the key or its hash)."""
    keys = _store(ctx).list()
    out = console()
    if not keys:
        out.print("no API keys yet; create one with `shopmine apikey create --name NAME`.")
        return
    table = Table(title="API keys", header_style="bold")
    for col in ("name", "created (UTC)", "revoked (UTC)"):
        table.add_column(col, no_wrap=True)
    for key in keys:
        table.add_row(key.name, key.created, key.revoked or "no")
    out.print(table)


@apikey_app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The key's name, as `shopmine apikey list` shows it.")],
) -> None:
    """Revoke a key: requests that send it get 403 from then on (the server needs no restart)."""
    key = _store(ctx).revoke(name)
    console().print(f"revoked API key {key.name} (at {key.revoked}).")


def register(app: typer.Typer) -> None:
    app.add_typer(apikey_app, name="apikey")
