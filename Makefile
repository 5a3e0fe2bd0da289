# Two commands: `make report` builds the example report, `make test` runs every test.
# Both create the virtual environment first, from the pinned requirements.txt.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
YEAR ?= 2025
LANG_REPORT ?= fi
EXAMPLE := inputs/example
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed
REPORT ?= reports/example/$(YEAR)
CODE := hki_intl tests benchmarks pipeline.py docs

.PHONY: report test test-fast example templates lint bench clean help browser-deps screenshots lab

help:
	@echo "make report   build the example report ($(EXAMPLE) -> reports/example/$(YEAR))"
	@echo "make test     run every test (unit, notebooks, end to end)"
	@echo "make test-fast  only the fast unit tests"
	@echo "make lint     ruff format --check, ruff check, mypy (make test runs it first)"
	@echo "make bench    the benchmark: speed and memory as ratios measured side by side"
	@echo "make screenshots  the README's pictures of the example report (docs/first-page-*.png)"
	@echo "make lab      JupyterLab on a report: its notebooks, and one for your own questions"
	@echo "              (REPORT=folder, default reports/example/$(YEAR) that make report writes)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# the package itself, editable (params/ and notebooks/ stay beside it): the hki-intl command
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

example: $(STAMP)
	rm -rf $(EXAMPLE)
	$(PY) pipeline.py example --out $(EXAMPLE) --years 2023-2025

report: example
	$(PY) pipeline.py run --year $(YEAR) --inputs $(EXAMPLE) --out reports/example/$(YEAR) --lang $(LANG_REPORT)

# JupyterLab for the analyst, on a report a run wrote (REPORT=folder). Its pins are an extra of
# their own (requirements-lab.txt), so the report's install stays lean; the kernel it starts for a
# notebook is this venv's Python, registered as Jupyter's python3 kernel.
$(LAB_STAMP): $(STAMP) requirements-lab.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
	$(PY) -m ipykernel install --sys-prefix
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(PY) pipeline.py lab --report $(REPORT) $(LAB_OPTIONS)

templates: $(STAMP)
	$(PY) pipeline.py templates --year $(YEAR) --out templates

test: lint browser-deps
	$(PY) -m pytest

# Format, lint (with a complexity limit) and types, on everything that is code.
lint: $(STAMP)
	$(PY) -m ruff format --check $(CODE)
	$(PY) -m ruff check $(CODE)
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) -m benchmarks.bench

# The README's two pictures: the HTML's first screen (headless chromium) and the PDF's first page
# (pdftoppm), of the example report in Finnish, built afresh in a temporary folder.
screenshots: $(STAMP)
	$(PY) docs/screenshots.py

# The browser checks (offline rendering, axe-core) need Node.js and Debian's chromium; .ci/run
# installs chromium. Without node the browser tests are skipped locally (never in CI).
browser-deps:
	@if command -v npm >/dev/null 2>&1; then \
		test -d tests/browser/node_modules/playwright-core || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error); \
	else echo "npm not found: the browser tests will be skipped"; fi

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

clean:
	rm -rf $(VENV) $(EXAMPLE) reports/example .cache tests/browser/node_modules hki_intl.egg-info
