#!/usr/bin/env bash
# Build the app image once and push it to a repository, or reuse the digest already pushed under its tag.
#
#   build-image.sh REPOSITORY_URL TAG PLATFORM
#
# TAG is the content hash of app/ (image-tag.py): when REPOSITORY already holds TAG, nothing is built and its
# digest is reused, so a commit that changes nothing in the image deploys the same digest (no rollout). Otherwise
# buildx builds app/ for PLATFORM and pushes REPOSITORY:TAG. Prints `digest=sha256:...` and `built=true|false`
# (lines for $GITHUB_OUTPUT). Needs AWS credentials that may push to REPOSITORY, and docker with buildx.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=ecr-lib.sh
. "$here/ecr-lib.sh"

[ $# -eq 3 ] || { echo "usage: build-image.sh REPOSITORY_URL TAG PLATFORM" >&2; exit 2; }
repo=$1 tag=$2 platform=$3
ecr_split "$repo"
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] && [ "$tag" != latest ] || { echo "build-image: bad tag '$tag'" >&2; exit 2; }

existing=$(ecr_digest_of "$repo" "imageTag=$tag")
if [ -n "$existing" ]; then
  echo "build-image: $repo:$tag already exists as $existing; reusing it, nothing built" >&2
  echo "digest=$existing"
  echo "built=false"
  exit 0
fi

aws ecr get-login-password --region "$ecr_region" | docker login --username AWS --password-stdin "$ecr_registry" >&2
# The registry login lives in ~/.docker/config.json: drop it when this script ends, not when the job does.
trap 'docker logout "$ecr_registry" >/dev/null 2>&1 || true' EXIT
meta=$(mktemp)
# One single-platform manifest (no provenance/SBOM index), so the digest is the image manifest's own.
docker buildx build --platform "$platform" --provenance=false --sbom=false \
  --tag "$repo:$tag" --push --metadata-file "$meta" app >&2
digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("containerimage.digest", ""))' "$meta")
rm -f "$meta"
is_digest "$digest" || { echo "build-image: buildx reported no image digest" >&2; exit 1; }
pushed=$(ecr_digest_of "$repo" "imageTag=$tag")
[ "$pushed" = "$digest" ] || { echo "build-image: $repo:$tag is '$pushed' in ECR, buildx said $digest" >&2; exit 1; }
echo "build-image: pushed $repo:$tag as $digest" >&2
echo "digest=$digest"
echo "built=true"
