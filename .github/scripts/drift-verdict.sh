#!/usr/bin/env bash
# Turn a drift check's exit status and output into one verdict, so "Drift" always means drift.
#
#   drift-verdict.sh STATUS OUTPUT_FILE STACK
#
# 0 and no error: no drift (exit 0). The CLI's --expect-no-changes message: drift, the diff is in the summary
# (exit 1, "Drift detected"). Anything else (credentials, program or policy errors): the check did not run
# (exit 2, "Drift check failed").
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: drift-verdict.sh STATUS OUTPUT_FILE STACK" >&2; exit 2; }
status=$1 output=$2 stack=$3
if [ "$status" = "0" ]; then
  echo "drift: $stack matches its deployed state"
  exit 0
fi
if grep -q "no changes were expected but changes were proposed" "$output" 2>/dev/null; then
  echo "::error title=Drift detected::$stack differs from what was deployed; the diff is in the job summary. Re-deploy main to restore it, or bring the change into the program."
  exit 1
fi
echo "::error title=Drift check failed::The drift check of $stack could not run (exit status $status); see the log. This is not a drift result."
exit 2
