#!/usr/bin/env bash
# Smoke test after `pulumi up`: poll <url>/readyz until it answers 200, or fail after a deadline.
# Usage: wait-ready.sh URL [TIMEOUT_SECONDS] [INTERVAL_SECONDS]
# A URL without a scheme gets http:// (the stack exports the load balancer's DNS name or a full URL).
set -euo pipefail

url=${1:?usage: wait-ready.sh URL [TIMEOUT_SECONDS] [INTERVAL_SECONDS]}
timeout=${2:-600}
interval=${3:-10}

case "$url" in
  http://* | https://*) ;;
  *) url="http://$url" ;;
esac
target="${url%/}/readyz"

deadline=$((SECONDS + timeout))
attempt=0
while :; do
  attempt=$((attempt + 1))
  code=$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 5 "$target" || true)
  if [ "$code" = "200" ]; then
    echo "ready: $target answered 200 after $attempt attempt(s)"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "::error title=Smoke test failed::$target did not answer 200 within ${timeout}s (last status: ${code:-none}, $attempt attempts)"
    exit 1
  fi
  echo "waiting: $target answered ${code:-nothing} (attempt $attempt)"
  sleep "$interval"
done
