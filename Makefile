# Two commands: `make report` builds the example report, `make test` runs every test.
# Both create the virtual environment first, from the pinned requirements.txt.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
YEAR ?= 2025
LANG_REPORT ?= fi
EXAMPLE := inputs/example
STAMP := $(VENV)/.installed

.PHONY: report test test-fast example templates lint clean help browser-deps

help:
	@echo "make report   build the example report ($(EXAMPLE) -> reports/example/$(YEAR))"
	@echo "make test     run every test (unit, notebooks, end to end)"
	@echo "make test-fast  only the fast unit tests"

$(STAMP): requirements.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

example: $(STAMP)
	rm -rf $(EXAMPLE)
	$(PY) pipeline.py example --out $(EXAMPLE) --years 2023-2025

report: example
	$(PY) pipeline.py run --year $(YEAR) --inputs $(EXAMPLE) --out reports/example/$(YEAR) --lang $(LANG_REPORT)

templates: $(STAMP)
	$(PY) pipeline.py templates --year $(YEAR) --out templates

test: $(STAMP) browser-deps
	$(PY) -m ruff check hki_intl tests pipeline.py
	$(PY) -m pytest

# The browser checks (offline rendering, axe-core) need Node.js and Debian's chromium; .ci/run
# installs chromium. Without node the browser tests are skipped locally (never in CI).
browser-deps:
	@if command -v npm >/dev/null 2>&1; then \
		test -d tests/browser/node_modules/playwright-core || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error); \
	else echo "npm not found: the browser tests will be skipped"; fi

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

clean:
	rm -rf $(VENV) $(EXAMPLE) reports/example .cache tests/browser/node_modules
