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
REPORT_LANG ?=
# pytest-xdist workers (one per core); tests sharing the session's report build run in one
# worker (tests/conftest.py groups them), so it is built once.
TEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup
export UV_COMPILE_BYTECODE := 1
export MPLBACKEND := Agg
export PYTHONDONTWRITEBYTECODE :=

SRC_FILES := $(shell find src/benchlib -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.j2' \) 2>/dev/null)
NOTEBOOK_FILES := $(wildcard notebooks/0*.ipynb)
# The pointer to the current generation of processed data: `benchlib clean` replaces it only
# when it wrote a new generation, so its time stamp tells make when reports are out of date.
PROCESSED := data/processed/CURRENT

.PHONY: help setup data example-data report reports lab pdf test test-fast lint check bench clean FORCE
.PRECIOUS: $(PROCESSED)

help: ## show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_.-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@echo ">> bootstrapping $(VENV) from requirements.lock"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then UV=uv; else $(PY) -m pip install -q uv && UV=$(VENV)/bin/uv; fi; \
	  $$UV pip sync --python $(PY) -q requirements.lock && \
	  $$UV pip install --python $(PY) -q --no-deps -e . && \
	  $(PY) -m ipykernel install --sys-prefix --name benchlib --display-name "Python (benchlib)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## create .venv from the pinned lock (uv if present, else pip) with a Jupyter kernel

# Always ask benchlib: it compares the hashes of every raw file, the configuration and the
# library with the current generation's manifest (no make time stamps, any file name works).
$(PROCESSED): FORCE | $(STAMP)
	@$(BENCHLIB) clean

data: $(PROCESSED) ## clean + score data/raw into data/processed (benchlib skips it when nothing changed)

FORCE:

example-data: $(STAMP) ## regenerate the fictional example study in data/raw (deterministic)
	$(BENCHLIB) example

# Whether a report is stale is decided by benchlib from content hashes (processed manifest,
# notebooks, library), never by file times: these rules always ask it ("up to date" is fast).
report: $(PROCESSED) ## build reports/<WAVE>/<lang>/ of one wave: make report WAVE=2026-10 [REPORT_LANG=en]
	@test -n "$(WAVE)" || { echo "usage: make report WAVE=<wave> [REPORT_LANG=<lang>]; waves: $$($(BENCHLIB) waves | tr '\n' ' ')" >&2; exit 2; }
	@$(BENCHLIB) report --wave '$(WAVE)' $(if $(REPORT_LANG),--lang '$(REPORT_LANG)')

reports: $(PROCESSED) ## build every wave in every configured language (one job pool on all cores)
	@$(BENCHLIB) reports $(if $(REPORT_LANG),--lang '$(REPORT_LANG)') $(if $(WAVES),--waves $(WAVES))

LAB_UID ?= $(shell id -u)
LAB_FLAGS := $(if $(filter 0,$(LAB_UID)),--allow-root)

lab: $(STAMP) $(PROCESSED) ## start JupyterLab with the project kernel (as root too)
	$(VENV)/bin/jupyter lab notebooks/ $(LAB_FLAGS)

pdf: ## print the wave report's first screen and the workshop pack to PDF: make pdf WAVE=2026-10 [REPORT_LANG=en]
	@test -n "$(WAVE)" || { echo "usage: make pdf WAVE=<wave>" >&2; exit 2; }
	@$(MAKE) --no-print-directory report WAVE=$(WAVE) REPORT_LANG=$(or $(REPORT_LANG),de)
	$(PY) -m benchlib.pdf --wave $(WAVE) --lang $(or $(REPORT_LANG),de)

test: $(STAMP) $(PROCESSED) ## run lint + every test (unit, doctests, R references, simulations, notebooks, browser)
	$(VENV)/bin/ruff check src tests $(wildcard benchmarks)
	$(PY) -m benchlib.devtools check-notebooks notebooks
	$(PYTEST)

test-fast: $(STAMP) $(PROCESSED) ## run the fast tests only (no simulations, notebooks or browser)
	$(PYTEST) -m "not slow and not browser" --hypothesis-profile=benchlib-fast

lint: $(STAMP) ## ruff + committed notebooks must have no outputs
	$(VENV)/bin/ruff check src tests $(wildcard benchmarks)
	$(PY) -m benchlib.devtools check-notebooks notebooks

check: $(STAMP) ## refuse raw files outside the example study (run before committing)
	$(PY) -m benchlib.devtools check-raw

bench: $(STAMP) $(PROCESSED) ## run the performance benchmark (benchmarks/results.json, docs/img/performance_growth.png)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/plot.py

clean: ## remove processed data, reports and caches (keeps data/raw and .venv)
	find data/processed reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
