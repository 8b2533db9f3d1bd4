# shellcheck shell=bash
# Shared by the image scripts (sourced, not run). An ECR repository URL is
# <account>.dkr.ecr.<region>.amazonaws.com/<name>; digests are sha256:<64 hex>.

# shellcheck disable=SC2034  # the variables are the result, read by the scripts that source this file
ecr_split() { # URL -> sets ecr_registry, ecr_region, ecr_name (fails on anything else)
  local url=$1
  if ! [[ $url =~ ^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/([a-z0-9._/-]+)$ ]]; then
    echo "not an ECR repository URL: '$url' (expected <account>.dkr.ecr.<region>.amazonaws.com/<name>)" >&2
    return 1
  fi
  ecr_registry=${url%%/*}
  ecr_region=${BASH_REMATCH[2]}
  ecr_name=${BASH_REMATCH[4]}
}

is_digest() { [[ $1 =~ ^sha256:[0-9a-f]{64}$ ]]; }

# The digest an image id resolves to in a repository, or nothing when the repository has no such image.
# ID is imageTag=... or imageDigest=...; any other failure (no access, no repository) is an error.
ecr_digest_of() { # URL ID
  ecr_split "$1" || return 1
  local out err status=0
  err=$(mktemp)
  out=$(aws ecr describe-images --region "$ecr_region" --repository-name "$ecr_name" --image-ids "$2" \
    --query 'imageDetails[0].imageDigest' --output text 2>"$err") || status=$?
  if [ $status -ne 0 ]; then
    if grep -q ImageNotFoundException "$err"; then rm -f "$err"; return 0; fi
    echo "aws ecr describe-images $ecr_name $2 failed: $(cat "$err")" >&2
    rm -f "$err"
    return 1
  fi
  rm -f "$err"
  if is_digest "$out"; then echo "$out"; fi
}
