# cybercap: `make demo` and `make test` work from a fresh clone; nothing is installed by hand.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test lint bench install system-packages messages clean help

help:
	@echo "make demo   - set up SQLite with demo data and serve on http://127.0.0.1:8000"
	@echo "make test   - install everything and run the test suite (DATABASE_URL picks the database)"
	@echo "make lint   - ruff (format check + lint) and mypy"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make messages - compile the translations (.po to .mo; demo and test do it)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Translations: each .po compiles to its .mo (not committed) whenever the .po is newer.
PO_FILES := $(wildcard src/cybercap/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po
	@command -v msgfmt >/dev/null || bash scripts/system-packages.sh
	msgfmt --check -o $@ $<

messages: $(MO_FILES)

system-packages:
	@bash scripts/system-packages.sh

demo: install messages
	$(BIN)/cybercap demo $(DEMO_ARGS)

test: install system-packages messages
	@test -d node_modules/scorm-again || npm ci --no-audit --no-fund
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(MO_FILES)
