# Two commands set everything up on a fresh machine (see README):
#   make app    runs the map page on the embedded default store, seeded from seeds/
#   make test   runs the whole test suite (lint, unit, CLI, real-browser tests, and the store
#               tests on both stores: SQLite and a throwaway PostgreSQL/PostGIS server)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: app test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

app: $(STAMP)
	$(BIN)/conflict-map seed
	$(BIN)/streamlit run app.py --server.headless true

test: $(STAMP)
	bash scripts/ensure-chromium.sh
	bash scripts/postgis.sh ensure
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
