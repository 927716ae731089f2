# Everything a new user needs: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE   := $(VENV)/.installed-base
STAMP  := $(VENV)/.installed-dev
DATA   ?= ./data

.PHONY: install demo test lint format bench soak replica clean reliability-report

# Two stamps: the demo needs the package and the replica ([replica] extra: aiohttp); tests and
# benchmarks need their extras too. A cron crawler installs only `pip install .`.
$(BASE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[replica]'
	touch $(BASE)

$(STAMP): $(BASE)
	$(BIN)/python -m pip install --quiet -e '.[test,bench,replica,scrapyd]'
	touch $(STAMP)

install: $(STAMP)

demo: $(BASE)
	$(BIN)/python -m newsarchive.demo --data $(DATA)

test: $(STAMP)
	bash scripts/install-browser.sh || echo "could not install Chromium: the browser tests will fail and say why"
	bash scripts/install-pywb.sh || echo "could not install pywb: its replay test will fail and say why"
	bash scripts/install-replaywebpage.sh || echo "could not install ReplayWeb.page: its replay test will fail and say why"
	bash scripts/install-redis.sh || echo "could not install redis-server: the Redis tests will fail and say why"
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
	NEWSARCHIVE_SOAK=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/reliability

# docs/reliability.md from the reliability suite's own records (SOAK=1: the long variants).
reliability-report: $(STAMP)
	rm -f build/reliability.jsonl && mkdir -p build
	NEWSARCHIVE_RELIABILITY_JSON=build/reliability.jsonl NEWSARCHIVE_SOAK=$(SOAK) \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/reliability; \
		status=$$?; \
		$(BIN)/python scripts/reliability_report.py build/reliability.jsonl docs/reliability.md \
		--command "make reliability-report$(if $(SOAK), SOAK=$(SOAK))" && exit $$status

replica: $(BASE)
	$(BIN)/newsarchive replica --port 8765

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
