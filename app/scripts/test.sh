#!/usr/bin/env bash
# App tests on Node 24 (node --test) against a throwaway MariaDB. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$APP_DIR"

prepare

export TEST_DB_HOST=127.0.0.1 TEST_DB_PORT="$DB_TEST_PORT" TEST_DB_USER=app TEST_DB_PASSWORD=apppw
export TEST_NODE="$NODE"
echo "node $("$NODE" -v), MariaDB on 127.0.0.1:$DB_TEST_PORT"
"$NODE" --test --test-concurrency=2 --test-timeout=120000 'test/**/*.test.js'
