# Two commands on a fresh machine with Python 3.11:  make up   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup up test lint asyncapi clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## Run the whole stack on embedded defaults (SQLite files under ./data, embedded broker).
up: setup
	$(BIN)/scr-panel up

## Lint, check the committed AsyncAPI document, run every test (PostgreSQL if SCR_TEST_POSTGRES_URL).
test: setup lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

asyncapi: setup
	$(BIN)/scr-panel asyncapi --out docs/asyncapi.json

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
