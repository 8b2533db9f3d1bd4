#!/usr/bin/env bash
# Print this stack's ECR repository URL, creating the repository first on the stack's first deploy.
#
#   ensure-repository.sh STACK
#
# STACK is the Pulumi stack (org/name or name). The URL is read from the stack's state, by the repository's
# URN (urn:pulumi:<stack>::<project>::webservice:registry:Registry$aws:ecr/repository:Repository::<project>-<stack>-repo,
# as components/registry.py names it). A stack that has never been deployed has no repository, and CI cannot
# copy an image into it: then a targeted `pulumi up` creates only the repository, its KMS key and their component
# parents, with the stack's policy pack and config, before anything else. Prints `repository=<url>` and
# `bootstrapped=true|false` (lines for $GITHUB_OUTPUT). Needs the Pulumi CLI, a token that may update the stack,
# and the stack's AWS credentials; run from the repository root.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: ensure-repository.sh STACK" >&2; exit 2; }
stack=$1
short=${stack##*/}
project=$(sed -n 's/^name:[[:space:]]*//p' Pulumi.yaml | tr -d "\"' ")
name="$project-$short"
prefix="urn:pulumi:$short::$project::"
repo_urn="${prefix}webservice:registry:Registry\$aws:ecr/repository:Repository::$name-repo"

repository_url() {
  pulumi stack export --stack "$stack" | python3 -c '
import json, sys
urn = sys.argv[1]
for r in (json.load(sys.stdin).get("deployment") or {}).get("resources") or []:
    if r.get("urn") == urn:
        print((r.get("outputs") or {}).get("repositoryUrl", ""))
' "$repo_urn"
}

url=$(repository_url)
bootstrapped=false
if [ -z "$url" ]; then
  echo "ensure-repository: $stack has no $name-repo yet; creating it (and its KMS key) with a targeted update" >&2
  pulumi up --yes --stack "$stack" --policy-pack policies --policy-pack-config "policies/config/$short.json" \
    --message "bootstrap: the image repository, before the first image is copied in" \
    --target "${prefix}webservice:keys:Encryption::$name" \
    --target "${prefix}webservice:keys:Encryption\$aws:kms/key:Key::$name-key" \
    --target "${prefix}webservice:registry:Registry::$name" \
    --target "$repo_urn" >&2
  url=$(repository_url)
  bootstrapped=true
fi
[ -n "$url" ] || { echo "ensure-repository: no repositoryUrl for $repo_urn in $stack's state" >&2; exit 1; }
echo "repository=$url"
echo "bootstrapped=$bootstrapped"
