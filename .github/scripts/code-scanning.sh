#!/usr/bin/env bash
# Whether this repository can take SARIF uploads (code scanning on: public repositories, or GitHub Advanced
# Security / Code Security on private ones). Prints `available=true|false` for $GITHUB_OUTPUT; when it is off, a
# notice (on stderr) says so, and the upload steps are skipped instead of failing the check.
# Needs the GitHub CLI with GH_TOKEN (security-events: read) and GH_REPO=owner/name.
set -euo pipefail
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if gh api "repos/{owner}/{repo}/code-scanning/analyses?per_page=1" --silent 2>"$err" \
  || grep -q "no analysis found" "$err"; then
  echo "available=true"
else
  echo "::notice title=SARIF upload skipped::Code scanning is not available for this repository ($(tr '\n' ' ' < "$err" | cut -c1-200)). The policy results are in the job summary and the artifact." >&2
  echo "available=false"
fi
