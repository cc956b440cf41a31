# The two commands of the README: `make run` (demo dashboard) and `make test` (the whole test suite).
# Everything else here is a step of those two, or a convenience for analysts.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# Raw data: the embedded default is synthetic data generated locally in the Kaggle format.
# Use the real Kaggle files with: make run DATA=/path/to/home-credit-default-risk
DEFAULT_DATA := data/raw
DATA ?= $(DEFAULT_DATA)
APPLICANTS ?= 20000
SEED ?= 42
ARTIFACTS ?= artifacts
PORT ?= 8866
LANG_UI ?= fr
PIPELINE_ARGS ?=

.PHONY: help install data artifacts pipeline run dashboard test test-fast lint format bench clean hub hub-proxy

help:
	@echo "make run    - install, generate the demo data, run the pipeline, serve the dashboard"
	@echo "make test   - install and run the whole test suite"
	@echo "make run DATA=/path/to/kaggle-files  - the same on the real Kaggle data"
	@echo "make hub    - the team service (JupyterHub, personal accounts) on http://127.0.0.1:8000"

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@touch $@

install: $(INSTALLED)

$(DEFAULT_DATA)/application_train.csv: | $(INSTALLED)
	$(BIN)/credit-scoring generate --out $(DEFAULT_DATA) --applicants $(APPLICANTS) --seed $(SEED)

data: $(INSTALLED)
ifeq ($(DATA),$(DEFAULT_DATA))
	@$(MAKE) --no-print-directory $(DEFAULT_DATA)/application_train.csv
endif
	$(BIN)/credit-scoring validate $(DATA)

# The package's code and data files (i18n words, labels...): the artifacts depend on them too.
PACKAGE_FILES := $(shell find src/credit_scoring -type f -not -path '*/__pycache__/*' \
                   -not -name '*.pyc' -not -name '.*')

# The pipeline runs again when the data, a notebook or the package is newer than the last run's
# manifest (which the pipeline writes last, only when every step succeeded).
$(ARTIFACTS)/manifest.json: $(wildcard $(DATA)/*.csv) $(wildcard notebooks/*.ipynb) \
                            $(PACKAGE_FILES) | $(INSTALLED)
	$(BIN)/credit-scoring pipeline --data $(DATA) --artifacts $(ARTIFACTS) $(PIPELINE_ARGS)

artifacts: data
	@$(MAKE) --no-print-directory $(ARTIFACTS)/manifest.json

pipeline: data
	$(BIN)/credit-scoring pipeline --data $(DATA) --artifacts $(ARTIFACTS) $(PIPELINE_ARGS)

dashboard: $(INSTALLED)
	$(BIN)/credit-scoring dashboard --artifacts $(ARTIFACTS) --port $(PORT) --lang $(LANG_UI)

run: artifacts dashboard

# The team service: JupyterHub with personal accounts (create them with `credit-scoring users add`).
HUB_STATE ?= hub-state
HUB_PORT ?= 8000
HUB_PROXY := .hub-node/node_modules/.bin/configurable-http-proxy

# The hub's proxy, an npm package, installed in the project (needs node and npm).
$(HUB_PROXY):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix .hub-node --no-audit --no-fund configurable-http-proxy@^4.6; \
	else echo "npm is missing: the hub (and its tests) need node and npm (apt-get install npm)"; fi

hub-proxy: $(HUB_PROXY)

hub: artifacts $(HUB_PROXY)
	$(BIN)/credit-scoring hub --artifacts $(ARTIFACTS) --state $(HUB_STATE) --port $(HUB_PORT) --lang $(LANG_UI)

# The whole suite on every core (pytest-xdist; one module per worker, so a module's fixtures are
# built once); it prints the 15 slowest tests. test-fast: the inner loop, no pipeline, notebook,
# browser or server (57 s on 2 cores: bench/results/tests.md).
test: $(INSTALLED) $(HUB_PROXY)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -n auto --dist loadfile

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow" -n auto --dist worksteal

lint: $(INSTALLED)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(INSTALLED)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(INSTALLED)
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_features.py
	$(BIN)/python bench/bench_train.py
	$(BIN)/python bench/bench_dashboard.py

# Removes what the pipeline built (artifacts/README.md is committed and stays).
clean:
	rm -rf $(ARTIFACTS)/*.parquet $(ARTIFACTS)/*.json $(ARTIFACTS)/*.cbm $(ARTIFACTS)/*.npy \
	       $(ARTIFACTS)/*.npz $(ARTIFACTS)/model_card.md $(ARTIFACTS)/fold_models \
	       $(ARTIFACTS)/report test-results
