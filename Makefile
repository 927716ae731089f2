# Everything a new user needs: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATA   ?= ./data

.PHONY: install demo test lint format bench soak replica clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m newsarchive.demo --data $(DATA)

test: $(STAMP)
	bash scripts/install-browser.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/run.py

soak: $(STAMP)
	$(BIN)/python bench/run.py --soak

replica: $(STAMP)
	$(BIN)/newsarchive replica --port 8765

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
