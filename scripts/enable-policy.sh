#!/usr/bin/env bash
# Enforce a published policy pack across the organisation: for each policy group, validate the pack's
# config file against the published schema, then enable that version of the pack with that config.
#
#   scripts/enable-policy.sh ORG PACK VERSION GROUP=CONFIG [GROUP=CONFIG ...]
#
#   ORG      Pulumi organisation the pack was published to (pulumi policy publish ORG).
#   PACK     Pack name; "" or "-" reads it from the PolicyPack(...) call in policies/__main__.py.
#   VERSION  Published version, e.g. 1.2.0, or "latest".
#   GROUP=CONFIG  Policy group name and the pack config for the stacks in it, e.g.
#            default-policy-group=policies/config/dev.json production=policies/config/prod.json
#
# DRY_RUN=1 prints the pulumi commands instead of running them. Needs the Pulumi CLI and
# PULUMI_ACCESS_TOKEN (an org admin's token: enabling a pack is an admin action).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 4 ] || usage
org=$1 pack=$2 version=$3
shift 3

if [ -z "$pack" ] || [ "$pack" = "-" ]; then
  [ -f policies/__main__.py ] || { echo "enable-policy: no pack name given and no policies/__main__.py to read it from" >&2; exit 1; }
  pack=$(python3 - policies/__main__.py <<'PY'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
# Module-level NAME = "..." constants, for PolicyPack(PACK_NAME, ...).
consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
          and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
          for t in n.targets if isinstance(t, ast.Name)}
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "PolicyPack":
        for a in node.args[:1] + [k.value for k in node.keywords if k.arg == "name"]:
            if isinstance(a, ast.Constant) and isinstance(a.value, str):
                print(a.value); sys.exit(0)
            if isinstance(a, ast.Name) and a.id in consts:
                print(consts[a.id]); sys.exit(0)
sys.exit("enable-policy: no PolicyPack(name, ...) with a literal or constant name in " + sys.argv[1])
PY
)
fi

run() {
  if [ "${DRY_RUN:-0}" = "1" ]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# Check every pair before enabling anything, so a typo cannot leave the org half-configured.
for pair in "$@"; do
  group=${pair%%=*} config=${pair#*=}
  if [ -z "$group" ] || [ "$group" = "$pair" ] || [ -z "$config" ]; then
    echo "enable-policy: expected GROUP=CONFIG, got '$pair'" >&2; exit 2
  fi
  [ -f "$config" ] || { echo "enable-policy: $config (group $group) does not exist" >&2; exit 1; }
  python3 -m json.tool "$config" >/dev/null || { echo "enable-policy: $config is not valid JSON" >&2; exit 1; }
done

for pair in "$@"; do
  group=${pair%%=*} config=${pair#*=}
  run pulumi policy validate-config "$org/$pack" "$version" --config "$config"
  run pulumi policy enable "$org/$pack" "$version" --policy-group "$group" --config "$config"
  echo "enable-policy: $org/$pack $version enabled for policy group $group with $config$([ "${DRY_RUN:-0}" = 1 ] && echo ' (dry run)')"
done
