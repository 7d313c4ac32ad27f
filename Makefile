# benchlib — mystery-shopping benchmarks. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BENCHLIB := $(VENV)/bin/benchlib
STAMP := $(VENV)/.installed
WAVE ?=
REPORT_LANG ?= de
export UV_COMPILE_BYTECODE := 1
export MPLBACKEND := Agg

RAW_FILES := $(shell find data/raw -type f ! -name '.gitkeep' 2>/dev/null | sort)
CONFIG_FILES := $(wildcard config/*.yaml)
SRC_FILES := $(shell find src/benchlib -name '*.py' 2>/dev/null)
PROCESSED := data/processed/contacts.parquet

.PHONY: help setup data example-data report reports lab test test-fast lint check bench clean

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_.-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@echo ">> bootstrapping $(VENV) from requirements.lock"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then UV=uv; else $(PY) -m pip install -q uv && UV=$(VENV)/bin/uv; fi; \
	  $$UV pip sync --python $(PY) -q requirements.lock && \
	  $$UV pip install --python $(PY) -q --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP) ## create .venv from the pinned lock (uv if present, else pip) and register the Jupyter kernel
	@$(PY) -m ipykernel install --sys-prefix --name benchlib --display-name "Python (benchlib)" >/dev/null
	@echo ">> ready: $(VENV) with kernel 'benchlib'"

$(PROCESSED): $(RAW_FILES) $(CONFIG_FILES) $(SRC_FILES) | $(STAMP)
	$(BENCHLIB) clean

data: $(STAMP) $(PROCESSED) ## clean + score data/raw into data/processed (skipped when nothing changed)

example-data: $(STAMP) ## regenerate the fictional example study in data/raw (deterministic)
	$(BENCHLIB) example

report: data ## build reports/<WAVE>/ for one wave, e.g. make report WAVE=2026-10 [REPORT_LANG=en]
	@test -n "$(WAVE)" || { echo "usage: make report WAVE=<wave id>  (see: $(BENCHLIB) waves)"; exit 2; }
	$(BENCHLIB) report --wave $(WAVE) --lang $(REPORT_LANG)

reports: data ## build the reports of every wave (parallel with make -j2 reports)
	@$(MAKE) --no-print-directory $(addprefix report-,$(shell $(BENCHLIB) waves 2>/dev/null))

report-%: data
	$(BENCHLIB) report --wave $* --lang $(REPORT_LANG)

lab: setup ## start JupyterLab with the project kernel
	$(VENV)/bin/jupyter lab notebooks/

test: setup ## run lint + the whole test suite (unit, doctests, notebooks, end-to-end)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/pytest

test-fast: setup ## run the fast tests only
	$(VENV)/bin/pytest -m "not slow and not browser"

lint: $(STAMP) ## ruff + notebooks must have no outputs
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m benchlib.devtools check-notebooks notebooks

check: $(STAMP) ## refuse to commit raw files outside the example study
	$(PY) -m benchlib.devtools check-raw

bench: data ## run the performance benchmark (writes benchmarks/results.json)
	$(PY) benchmarks/run.py

clean: ## remove processed data, reports and caches (not data/raw, not .venv)
	rm -rf data/processed/* reports/* .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
