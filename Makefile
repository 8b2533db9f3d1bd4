# One entry point for people and CI. Every target bootstraps what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STACK  ?= dev
MODE   ?= preview

.PHONY: help venv system-deps test test-py test-app lint preview preview-all bench-preview bench-app clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@echo "venv: installing the pinned Python packages into $(VENV) (first run: about a minute)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed ## Create or update the Python virtualenv

system-deps: ## Install the Debian packages the suite needs (MariaDB, graphviz, docker-compose, bubblewrap)
	@bash scripts/system-deps.sh

test: venv system-deps ## Run the whole suite: Python, policy pack, app, lint
	$(MAKE) --no-print-directory test-py
	$(MAKE) --no-print-directory test-app
	$(MAKE) --no-print-directory lint

test-py: venv ## Pulumi program, policy pack and offline-preview tests (pytest)
	$(BIN)/python -m pytest tests

test-app: ## App tests on Node 24 against a throwaway MariaDB
	bash app/scripts/test.sh

lint: venv ## hadolint, Checkov and actionlint
	bash app/scripts/lint.sh
	bash scripts/lint-workflows.sh

preview: venv system-deps ## Offline preview of one stack: make preview [STACK=dev] [MODE=preview|update|existing]
	$(BIN)/python -m offline preview --stack $(STACK) --mode $(MODE)

preview-all: venv system-deps ## Offline preview of dev, staging and prod
	$(BIN)/python -m offline preview --stack dev --stack staging --stack prod --mode $(MODE)

bench-preview: venv system-deps ## Time preview-all cold and warm
	$(BIN)/python -m offline.bench

bench-app: ## Benchmark the app against the original design and the driver limit
	bash app/scripts/bench.sh

clean: ## Remove generated output and caches (keeps the virtualenvs)
	rm -rf out .pytest_cache
