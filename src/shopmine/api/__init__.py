"""The REST API (FastAPI) over a workspace's saved runs, and its API keys (:mod:`shopmine.api.keys`)."""
