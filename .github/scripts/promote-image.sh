#!/usr/bin/env bash
# Copy one image, by digest, from the previous stage's repository into this stage's own repository.
#
#   promote-image.sh SOURCE_REPOSITORY_URL DESTINATION_REPOSITORY_URL DIGEST
#
# The copy keeps the manifest byte for byte (skopeo --preserve-digests), so DESTINATION@DIGEST is exactly the image
# the earlier stage tested; it is tagged `digest-<first 20 hex>`, a tag only this digest can have (the repositories
# have immutable tags). Nothing is copied when the destination already holds the digest. Afterwards ECR must list
# DIGEST in the destination, or the script fails. Needs AWS credentials that may pull from SOURCE and push to
# DESTINATION, and skopeo (on GitHub's Ubuntu runners).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=ecr-lib.sh
. "$here/ecr-lib.sh"

[ $# -eq 3 ] || { echo "usage: promote-image.sh SOURCE_REPOSITORY_URL DESTINATION_REPOSITORY_URL DIGEST" >&2; exit 2; }
src=$1 dst=$2 digest=$3
is_digest "$digest" || { echo "promote-image: '$digest' is not a sha256 digest" >&2; exit 2; }
ecr_split "$src"
src_registry=$ecr_registry src_region=$ecr_region
ecr_split "$dst"
dst_registry=$ecr_registry dst_region=$ecr_region

if [ -n "$(ecr_digest_of "$dst" "imageDigest=$digest")" ]; then
  echo "promote-image: $dst already holds $digest; nothing to copy"
  exit 0
fi
[ "$src" != "$dst" ] || { echo "promote-image: $dst does not hold $digest" >&2; exit 1; }

auth=$(mktemp -d)
trap 'rm -rf "$auth"' EXIT
export REGISTRY_AUTH_FILE=$auth/auth.json
aws ecr get-login-password --region "$src_region" | skopeo login --username AWS --password-stdin "$src_registry"
if [ "$dst_registry" != "$src_registry" ]; then
  aws ecr get-login-password --region "$dst_region" | skopeo login --username AWS --password-stdin "$dst_registry"
fi
tag="digest-${digest:7:20}"
skopeo copy --preserve-digests --retry-times 3 "docker://$src@$digest" "docker://$dst:$tag"

copied=$(ecr_digest_of "$dst" "imageDigest=$digest")
[ "$copied" = "$digest" ] || { echo "promote-image: $dst does not list $digest after the copy" >&2; exit 1; }
echo "promote-image: $src@$digest copied to $dst:$tag, digest preserved"
