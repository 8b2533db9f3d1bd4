#!/usr/bin/env bash
# Prints the path of a Node 24 binary after installing the app's npm packages (npm ci when the lockfile changed):
# what anything outside app/ needs before it asks the app itself, as the contract tests in tests/components do.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ensure_node24
ensure_deps
echo "$NODE"
