"""The FastAPI app over one workspace's saved runs: ``create_app(workspace)``.

``shopmine serve`` runs it with uvicorn; with ``--workers N`` each worker process builds its own app from
:func:`app_from_env` (uvicorn's ``factory=True``), which reads the workspace folder from
``SHOPMINE_API_WORKSPACE``.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI

from shopmine import __version__
from shopmine.api import dashboard, docs
from shopmine.api.auth import require_key
from shopmine.api.body_limit import DEFAULT_MAX_BODY_BYTES, BodySizeLimit
from shopmine.api.errors import install_error_handlers
from shopmine.api.keys import KeyStore
from shopmine.api.routes import ERRORS, customers, forecasts, prices, products, risk, runs
from shopmine.api.saved import SavedRuns
from shopmine.api.schemas import Health
from shopmine.api.warm import Warmer
from shopmine.workspace import Workspace

WORKSPACE_ENV = "SHOPMINE_API_WORKSPACE"
MAX_BODY_ENV = "SHOPMINE_API_MAX_BODY_BYTES"
WARM_ENV = "SHOPMINE_API_WARM"

DESCRIPTION = """Forecasts, customer segments, lifetime value, recommendations, price suggestions and risk scores
of one shopmine workspace, served from its saved runs (nothing is computed per request: run the analyses with
the `shopmine` commands, and the next request answers from the new run). Every route but `/health` needs an
API key (`shopmine apikey create`), sent as `X-API-Key` or `Authorization: Bearer`. Every error is
`{"error": {"code", "message", "field"}}`."""


def create_app(workspace: str | Path | Workspace, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               warm: bool = True) -> FastAPI:
    """The API of ``workspace`` (a folder that is a workspace; nothing is created).

    With ``warm`` the app's start-up starts loading the latest runs' models and tables, and new runs' as they
    are saved, in a thread of its own (:class:`~shopmine.api.warm.Warmer`).

    Raises
    ------
    ShopmineInputError
        When the folder is not a workspace.
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace, create=False)
    saved = SavedRuns(ws)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        warmer = Warmer(saved) if warm else None
        if warmer is not None:
            warmer.start()
        try:
            yield
        finally:
            if warmer is not None:
                warmer.stop()

    app = FastAPI(lifespan=lifespan, title="shopmine", version=__version__, description=DESCRIPTION,
                  responses={500: ERRORS[500]}, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None)  # /docs is docs.py's: Swagger UI without a CDN
    app.state.runs = saved
    app.state.keys = KeyStore(ws.secret_dir)
    # Amounts on dashboard pages: the currency setting (the warehouse, where the orders' own code is, stays shut).
    app.state.currency = ws.settings.currency
    install_error_handlers(app)

    @app.get("/health", response_model=Health, tags=["health"], summary="Liveness (no key needed)")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    secured = {"dependencies": [Depends(require_key)], "responses": ERRORS}
    for module in (forecasts, customers, products, prices, risk, runs):
        app.include_router(module.router, prefix="/v1", **secured)
    docs.install(app)
    dashboard.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The app of the workspace named by ``SHOPMINE_API_WORKSPACE`` (what each ``--workers`` process builds)."""
    folder = os.environ.get(WORKSPACE_ENV)
    if not folder:
        raise RuntimeError(f"{WORKSPACE_ENV} is not set; start the server with `shopmine serve`.")
    return create_app(folder, max_body_bytes=int(os.environ.get(MAX_BODY_ENV, DEFAULT_MAX_BODY_BYTES)),
                      warm=os.environ.get(WARM_ENV, "1") != "0")


__all__ = ["app_from_env", "create_app"]
