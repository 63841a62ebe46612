# Two commands set up a fresh machine and do the work:
#   make demo   - install, then play the shipped story on embedded defaults (no token, no server)
#   make test   - install, then run lint, type checks, content checks and the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck install bench

$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/diana validate content/
	$(BIN)/diana preview content/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/diana schemas --check
	$(BIN)/diana validate content/
	$(BIN)/pytest
	$(BIN)/diana bench --quick  # proves the benchmark table runs (~50 s); figures are not asserted
