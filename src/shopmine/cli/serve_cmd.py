"""``shopmine serve``: the REST API over the workspace's saved runs (uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from shopmine.cli.context import err_console, state
from shopmine.errors import invalid_value


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface; put a "
                                      "TLS proxy in front then).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (each reads the saved runs "
                                         "itself).")] = 1,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", help="Largest request body; a larger one "
                                                "gets 413.")] = 1_000_000,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Load the latest runs' models as the server starts "
                                       "and each new run's as it is saved, so that requests need not wait for "
                                       "one; --no-warm leaves that to the first request that needs it.")] = True,
) -> None:
    """Serve forecasts, segments, CLV, recommendations, prices and risk scores from the saved runs, with API
    keys (`shopmine apikey create`). The warehouse is never opened, so `shopmine ingest` runs beside it; a new
    saved run is served from the next request on. Docs at /docs, schema at /openapi.json."""
    import uvicorn

    from shopmine.api.app import MAX_BODY_ENV, WARM_ENV, WORKSPACE_ENV

    if not 0 < port < 65536:
        raise invalid_value("port", "a TCP port in 1-65535", port)
    if workers < 1:
        raise invalid_value("workers", "a whole number of at least 1", workers)
    if max_body_bytes < 1:
        raise invalid_value("max_body_bytes", "a number of bytes, at least 1", max_body_bytes)
    workspace = state(ctx).workspace()  # refuses a folder that is not a workspace (exit 2), creates nothing
    root = str(workspace.root)
    workspace.close()
    os.environ[WORKSPACE_ENV] = root
    os.environ[MAX_BODY_ENV] = str(max_body_bytes)
    os.environ[WARM_ENV] = "1" if warm else "0"
    from shopmine.api.app import app_from_env

    app_from_env()  # built once here too, so a broken workspace fails now with exit 2, not in each worker
    err_console().print(f"serving {root} on http://{host}:{port} (docs: /docs)", markup=False)
    uvicorn.run("shopmine.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
