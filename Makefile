# cybercap: `make demo` and `make test` work from a fresh clone; nothing is installed by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# gettext catalogues: the .po files are committed, the .mo files compiled here (msgfmt comes
# from Debian's gettext, in system-packages.txt).
LOCALE := src/cybercap/locale
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/django.po))

.PHONY: demo test lint bench install system-packages messages clean help

help:
	@echo "make demo   - set up SQLite with demo data and serve on http://127.0.0.1:8000"
	@echo "make test   - install everything and run the test suite (DATABASE_URL picks the database)"
	@echo "make lint   - ruff (format check + lint) and mypy"
	@echo "make bench  - run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP) messages

messages: $(MO)

$(LOCALE)/%/LC_MESSAGES/django.mo: $(LOCALE)/%/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || bash scripts/system-packages.sh
	msgfmt --check-format -o $@.tmp $< && mv $@.tmp $@

system-packages:
	@bash scripts/system-packages.sh

# The demo renders PDFs (reports, certificates, checklists) in the region's scripts: Pango,
# HarfBuzz's subsetter and the Noto fonts come from system-packages.txt, as for the tests.
demo: install system-packages
	$(BIN)/cybercap demo $(DEMO_ARGS)

test: install system-packages
	@test -d node_modules/scorm-again || npm ci --no-audit --no-fund
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
