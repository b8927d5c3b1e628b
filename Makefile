# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install browser demo test bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/shopmine demo --output-dir demo-output

# Headless Chromium for the tests of pages a person looks at (Debian packages; CI runs as root).
browser:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium or chromedriver missing: sudo apt-get install chromium chromium-driver (browser tests will skip)"; fi; }

# Then the Spark tests again on a standalone Spark cluster (master + 2 workers, started by the tests).
test: install browser
	$(PY) -m pytest -q $(PYTEST_ARGS)
	$(PY) -m pytest -q -m spark --spark-cluster $(PYTEST_ARGS) tests

bench: install
	$(PY) bench/ingest.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache
