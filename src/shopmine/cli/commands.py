"""The list of command modules; each has ``register(app)``."""

from shopmine.cli import (
    apikey_cmd,
    batches_cmd,
    classify_cmd,
    clv_cmd,
    demo_cmd,
    features_cmd,
    forecast_cmd,
    ingest_cmd,
    init_cmd,
    model_cmd,
    price_cmd,
    quality_cmd,
    recommend_cmd,
    report_cmd,
    risk_cmd,
    runs_cmd,
    segment_cmd,
    serve_cmd,
    simulate_cmd,
)

MODULES = [init_cmd, ingest_cmd, quality_cmd, features_cmd, simulate_cmd, report_cmd, demo_cmd, model_cmd,
           forecast_cmd, segment_cmd, classify_cmd, clv_cmd, recommend_cmd, price_cmd, batches_cmd,
           runs_cmd, risk_cmd, serve_cmd, apikey_cmd]
