#!/usr/bin/env bash
# Run a Pulumi command, keep its output, and write the summary from it, whether the command passed or failed.
#
#   pulumi-run.sh TITLE STACK COMMAND [ARGS...]      e.g. pulumi-run.sh "pulumi preview" acme/dev pulumi preview ...
#
# Writes output.txt and summary.md (pulumi-summary.py) to $PULUMI_RUN_DIR (default $RUNNER_TEMP/pulumi), appends
# the summary to $GITHUB_STEP_SUMMARY when it is set, and exits with the command's own status.
set -uo pipefail
[ $# -ge 3 ] || { echo "usage: pulumi-run.sh TITLE STACK COMMAND [ARGS...]" >&2; exit 2; }
title=$1 stack=$2
shift 2
dir=${PULUMI_RUN_DIR:-${RUNNER_TEMP:-/tmp}/pulumi}
mkdir -p "$dir"
"$@" 2>&1 | tee "$dir/output.txt"
status=${PIPESTATUS[0]}
python3 "$(dirname "$0")/pulumi-summary.py" --stack "$stack" --title "$title" --status "$status" \
  "$dir/output.txt" > "$dir/summary.md" || echo "pulumi-run: could not write the summary" >&2
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$dir/summary.md" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
