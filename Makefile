# crmkit developer commands. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
DOCS_SITE := site

.PHONY: demo test checks lint typecheck pytest pytest-main test-plugin test-compat test-interop docs bench postgres clean

$(STAMP): pyproject.toml $(CONSTRAINTS) examples/adapter-plugin/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]' -e examples/adapter-plugin
	touch $(STAMP)

## crmkit's main job: build an embedded CRM from synthetic data and show every capability
demo: $(STAMP)
	$(BIN)/crmkit demo --output demo-output

## lint, format check, strict typing, the documentation build and the tests
## (the docs build comes first: the browser search test serves that site instead of building its own).
## The one-process steps (`make checks`) run two at a time, then the test suite on both cores.
test: $(STAMP)
	$(MAKE) --no-print-directory checks
	$(MAKE) --no-print-directory pytest-main
test: export CRMKIT_DOCS_SITE = $(DOCS_SITE)

## everything of `make test` but the main test suite, two steps at a time (lint, then longest first)
checks: $(STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target lint docs typecheck test-compat test-interop test-plugin

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check

typecheck: $(STAMP)
	$(BIN)/mypy

## the test suite (but the pymc interop fits) and the example plugin's tests
pytest: pytest-main test-plugin

## (--dist loadgroup should keep each xdist_group on one worker; with pytest 9.2 and xdist 3.8 it
## does not, pytest-xdist issue 1386, so every test is handed out on its own, slow ones first)
pytest-main: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -m "not interop" --durations=30

test-plugin: $(STAMP)
	$(BIN)/pytest -p no:xdist examples/adapter-plugin

## the equivalence tests with the oldest attrs and cattrs crmkit supports (the newest: constraints)
COMPAT_OLDEST := attrs==24.2.0 cattrs==24.1.0
test-compat: $(STAMP)
	dir=$$(mktemp -d) && $(BIN)/python -m pip install --quiet --no-deps --target $$dir $(COMPAT_OLDEST) \
	  && PYTHONPATH=$$dir $(BIN)/pytest -q -p no:xdist -k 'not switch' \
	    tests/domain/test_compiled_validation.py tests/serde; status=$$?; rm -rf $$dir; exit $$status

## fits with pymc-marketing (pytensor compiles each model: ~25 s cold, under 1 s cached)
test-interop: $(STAMP)
	$(BIN)/pytest -q -p no:xdist -m interop tests/clv

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir $(DOCS_SITE)

## side-by-side benchmarks with the peers; writes benchmarks/results/*.md (SIZE=100M for the scale run)
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(if $(SIZE),--size $(SIZE))

## the benchmarks of commit BASE and of HEAD side by side, alternating module by module (writes
## benchmarks/results/before-after.md; COMPARE="--size default --rounds 3" for other options)
BASE ?= ec2ac19
.PHONY: bench-compare
bench-compare: $(STAMP)
	$(BIN)/python -m benchmarks.before_after --base $(BASE) $(COMPARE)

## start a local PostgreSQL server for the SQL-store tests (prints the CRMKIT_PG_URL to export)
postgres:
	bash .ci/postgres.sh

clean:
	rm -rf $(VENV) site demo-output .mypy_cache .ruff_cache .pytest_cache .hypothesis
