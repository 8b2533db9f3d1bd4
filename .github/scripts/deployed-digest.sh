#!/usr/bin/env bash
# The image digest a stack runs now, from its `imageRef` output (<repositoryUrl>@sha256:...), as `digest=...` for
# $GITHUB_OUTPUT; `digest=` (empty) with a notice when the stack has no such output yet (never deployed by CI).
# Previews that are not deploys (PR previews, drift checks, recovery) set imageDigest to it, so their diff shows
# infrastructure changes and drift, not a rebuild of the image.
#
#   deployed-digest.sh STACK
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: deployed-digest.sh STACK" >&2; exit 2; }
ref=$(pulumi stack output imageRef --stack "$1" 2>/dev/null || true)
if [[ $ref =~ @(sha256:[0-9a-f]{64})$ ]]; then
  echo "digest=${BASH_REMATCH[1]}"
else
  echo "::notice title=No deployed digest::$1 has no imageRef output of the form <repository>@sha256:... yet; imageDigest stays unset for this run." >&2
  echo "digest="
fi
