"""The API's routes, one module per question: forecasts, customers, products, prices, risk, runs."""

from shopmine.api.schemas import ErrorEnvelope

#: Error answers every /v1 route may give, declared so that the schema describes them (in the envelope).
ERRORS = {status: {"model": ErrorEnvelope, "description": text} for status, text in (
    (401, "No API key, or an unknown one."), (403, "The API key was revoked."),
    (404, "No such customer, product or run, or the analysis was never run."),
    (413, "Request body too large."), (422, "A parameter or body field is invalid."),
    (500, "Internal error (no details in the body)."))}
