# Two commands do all set-up on a fresh machine (Python 3.11 required):
#   make run   - builds the demo project if missing, prints the city summary and serves
#                the web map viewer at http://127.0.0.1:5000/ (Ctrl+C stops it)
#   make test  - runs the whole test suite
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DEMO ?= layers/demo_sampit.gpkg

.PHONY: run summary test venv demo bench lint clean

$(BIN)/kumuhgis: pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 tidak ditemukan / not found (set PY=...)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(BIN)/kumuhgis

venv: $(BIN)/kumuhgis

$(DEMO): | venv
	$(BIN)/kumuhgis demo --out $(DEMO)

demo: $(DEMO)

PORT ?= 5000

run: venv $(DEMO)
	$(BIN)/kumuhgis summary $(DEMO)
	$(BIN)/kumuhgis serve $(DEMO) --port $(PORT)

summary: venv $(DEMO)
	$(BIN)/kumuhgis summary $(DEMO)

test: venv
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python benchmarks/run_all.py

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
