#!/usr/bin/env bash
# Benchmark, not a test: the service vs the tutorial's original design vs the driver limit, on one
# throwaway MariaDB with 1,000 users. Prints req/s, p99 and peak RSS of each, and the ratios.
# `bench.sh overload` runs only the overload curve (bench/overload.js, also part of the full run).
# `bench.sh shed` measures what one refusal (the shed 503) costs the service (bench/shed.js).
# `bench.sh token` instead measures what IAM token signing costs per new connection (bench/token.js).
# BENCH_DURATION_S (default 5), BENCH_ROUNDS (default 3), BENCH_POOL_SIZE (default 8), BENCH_LOG_LEVEL
# (default info, as deployed) and BENCH_TASK_MEMORY_MIB (default: Pulumi.yaml's task memory; the Node
# processes run in a memory cgroup that size when run as root; 0 for none) tune the run.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$APP_DIR"

prepare
# MariaDB's pid: the benchmark counts its CPU per request too.
BENCH_DB_PID=$(cat "$DB_DIR/mdb.pid")
export BENCH_DB_PID

# The service and the references connect as the app user (SELECT only), which the service's own
# migrate container code creates with the test server's admin, as on AWS; then 1,000 rows.
export BENCH_DB_HOST=127.0.0.1 BENCH_DB_PORT="$DB_TEST_PORT" BENCH_DB_USER=bench_app BENCH_DB_PASSWORD=bench-app-pw BENCH_DB_NAME=bench
export BENCH_ADMIN_USER=app BENCH_ADMIN_PASSWORD=apppw
mariadb --no-defaults --socket="$DB_DIR/mdb.sock" -uroot -e "CREATE DATABASE bench"
DB_HOST=127.0.0.1 DB_PORT="$DB_TEST_PORT" DB_NAME=bench DB_TLS=false LOG_LEVEL=warn \
  DB_ADMIN_USER="$BENCH_ADMIN_USER" DB_ADMIN_PASSWORD="$BENCH_ADMIN_PASSWORD" \
  DB_APP_USER="$BENCH_DB_USER" DB_AUTH=password DB_APP_PASSWORD="$BENCH_DB_PASSWORD" \
  "$NODE" src/migrate.js
mariadb --no-defaults --socket="$DB_DIR/mdb.sock" -uroot bench -e "
  INSERT INTO users (name, email)
  SELECT CONCAT('User ', seq), CONCAT('user', seq, '@example.test') FROM seq_1_to_1000;"
case "${1:-all}" in
  all) "$NODE" bench/run.js && "$NODE" bench/overload.js ;;
  overload) "$NODE" bench/overload.js ;;
  shed) "$NODE" bench/shed.js ;;
  token) "$NODE" bench/token.js ;;
  *) echo "usage: bench.sh [all|overload|shed|token]" >&2; exit 2 ;;
esac
