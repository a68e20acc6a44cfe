# crmkit developer commands. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt

.PHONY: demo test lint typecheck pytest docs bench postgres clean

$(STAMP): pyproject.toml $(CONSTRAINTS) examples/adapter-plugin/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e examples/adapter-plugin
	touch $(STAMP)

## crmkit's main job: build an embedded CRM from synthetic data and show every capability
demo: $(STAMP)
	$(BIN)/crmkit demo --output demo-output

## lint, format check, strict typing, tests and the documentation build
test: lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup
	$(BIN)/pytest -n 2 examples/adapter-plugin

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

## side-by-side benchmarks with the peers; writes benchmarks/results/*.md
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## start a local PostgreSQL server for the SQL-store tests (prints the CRMKIT_PG_URL to export)
postgres:
	bash .ci/postgres.sh

clean:
	rm -rf $(VENV) site demo-output .mypy_cache .ruff_cache .pytest_cache .hypothesis
