# La famille virtuelle du Pays de Mormal — one Makefile for setting up, running and testing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
PYTHON310 ?= $(shell scripts/find-python310.sh 2>/dev/null)

export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup browser db seed lookups train validate nlu-eval run run-cluster test unit conversations lint typecheck bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@if [ -z "$(PYTHON310)" ]; then scripts/find-python310.sh; exit 1; fi
	@echo ">> Environnement Python 3.10 dans $(VENV) ($(PYTHON310))"
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create the virtual environment and install everything (idempotent)

browser: ## Install Chromium (Debian package) and axe-core (npm) for the browser tests
	scripts/ensure-browser.sh

db: setup ## Create the knowledge base and load the seed data if it is empty
	$(PY) -m knowledge init

seed: setup ## Reload the seed data (upsert; staff edits to other records are kept)
	$(PY) -m knowledge seed

lookups: db ## Regenerate the NLU lookup table of place names from the knowledge base
	$(PY) -m knowledge.lookups

train: setup ## Train the Rasa model if the data changed (FORCE=1 to retrain)
	scripts/train.sh

validate: setup ## Check the Rasa training data and domain
	source scripts/env.sh && $(VENV)/bin/rasa data validate --fail-on-warnings \
	  --domain domain.yml --data bot/data --config config.yml

nlu-eval: setup ## NLU figures: blind test set + 5-fold cross-validation, timed (CV=0 skips CV); bot/evaluation/
	scripts/nlu-eval.sh

run: db ## Set up and start the whole system on embedded defaults (SQLite); trains if needed
	scripts/run-all.sh

run-cluster: setup ## Several servers: N Rasa + M action servers behind HAProxy, on PostgreSQL, Redis, RabbitMQ
	scripts/run-cluster.sh

lint: setup ## ruff on the Python packages and tests
	$(VENV)/bin/ruff check knowledge bot connectors webapp analytics tests bench

typecheck: setup ## mypy on the Python packages
	$(VENV)/bin/mypy

conversations: train ## Conversation tests (rasa test, failing on any prediction error)
	source scripts/env.sh && $(VENV)/bin/rasa test core --model bot/models/famille.tar.gz \
	  --stories tests/conversations --fail-on-prediction-errors --out var/results

unit: setup ## Fast loop: the unit layer only (no training, no service, no browser), timed, on both cores
	@start=$$(date +%s); $(VENV)/bin/pytest -q -n 2 tests/unit; \
	  echo ">> make unit: $$(( $$(date +%s) - start )) s"

test: setup ## Set up and run all tests (lint, types, data, unit, PostgreSQL, conversations, e2e)
	$(MAKE) --no-print-directory lint typecheck validate train
	scripts/ensure-services.sh
	scripts/ensure-browser.sh
	$(MAKE) --no-print-directory conversations
	source scripts/env.sh && $(VENV)/bin/pytest -q

bench: setup train browser ## Run the benchmarks and print their figures
	$(PY) bench/nearby_pois.py
	$(PY) bench/import_feed.py
	$(PY) bench/analytics_report.py
	source scripts/env.sh && $(PY) bench/widget_load.py

clean: ## Remove the virtual environment, databases and trained models
	rm -rf $(VENV) var bot/models .pytest_cache .mypy_cache .ruff_cache
