#!/usr/bin/env bash
# Installs the Debian packages the test suite and the offline preview need, when they are missing.
# Needs root (CI and the dev machines run as root); prints what it would install otherwise.
set -euo pipefail
need=()
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
