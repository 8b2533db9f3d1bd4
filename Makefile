# One entry point for people and CI. Every target bootstraps what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STACK  ?= dev
MODE   ?= existing
PACK_CONFIG := policies/config/{stack}.json

.PHONY: help venv system-deps test test-py test-app lint preview preview-all diagram bench-preview bench-app clean

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

PY_LINT_PATHS := components policies offline tests __main__.py .github/scripts

lint: venv ## ruff, mypy, suppression markers, ESLint, hadolint, Checkov and actionlint
	$(BIN)/ruff check $(PY_LINT_PATHS)
	$(BIN)/mypy
	@# Only ruff (noqa), mypy (type: ignore) and ESLint (eslint-disable) run: a marker for any other tool is dead.
	@# git grep reads the project's own files only (tracked, or new and not ignored), never a virtualenv.
	@if git grep --untracked -nE '(pylint|pyright|flake8|jshint|jscs)[:-]|(^|[^a-z])nosec([^a-z]|$$)' -- \
	  $(PY_LINT_PATHS) app/src app/test app/bench | grep -E '^[^:]+\.(py|js):'; then \
	  echo "lint: a suppression names a tool that is not run"; exit 1; fi
	bash app/scripts/lint.sh
	bash scripts/lint-workflows.sh

# The offline preview needs only Python (and graphviz's dot for the diagrams, skipped without it). MODE=existing
# (the default) previews a deployed stack, where the values the mandatory rules read are known: the gate.
# MODE=preview is a first deploy, where some are unknown; those are printed as not evaluated.
preview: venv ## Offline preview of one stack: make preview [STACK=dev] [MODE=existing|preview|update]
	@command -v dot >/dev/null || echo "preview: graphviz's dot is not installed: no diagrams (apt-get install graphviz)"
	$(BIN)/python -m offline preview --stack $(STACK) --mode $(MODE) --policy-pack-config '$(PACK_CONFIG)'

preview-all: venv ## Offline preview of dev, staging and prod (the CI gate)
	@command -v dot >/dev/null || echo "preview: graphviz's dot is not installed: no diagrams (apt-get install graphviz)"
	$(BIN)/python -m offline preview --stack dev --stack staging --stack prod --mode $(MODE) \
	  --policy-pack-config '$(PACK_CONFIG)'

diagram: venv ## Refresh docs/architecture.png (the README's curated view of dev), only on success
	$(BIN)/python -m offline diagram --stack dev --output docs/architecture.png

bench-preview: venv ## Time preview-all cold and warm
	$(BIN)/python -m offline.bench

bench-app: ## Benchmark the app against the original design and the driver limit
	bash app/scripts/bench.sh

clean: ## Remove generated output and caches (keeps the virtualenvs)
	rm -rf out .pytest_cache
