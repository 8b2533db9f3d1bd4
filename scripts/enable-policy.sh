#!/usr/bin/env bash
# Publish a version of the policy pack (once) and enforce it on explicit policy groups, each with its config.
#
#   scripts/enable-policy.sh ORG PACK VERSION GROUP=CONFIG [GROUP=CONFIG ...]
#
#   ORG      Pulumi organisation to publish to and enable in.
#   PACK     Pack name; "" or "-" reads it from the PolicyPack(...) call in policies/__main__.py.
#   VERSION  The version to publish and enable, X.Y.Z; it must equal `version:` in policies/PulumiPolicy.yaml.
#   GROUP=CONFIG  A policy group and the pack config for the stacks in it, for example
#            pilot=policies/config/org-baseline.json production=policies/config/org-prod.json
#            There is no default: the script never touches a group you did not name.
#
# Order: check every pair locally; publish VERSION unless `pulumi policy ls` already lists it; run
# `pulumi policy validate-config` for every pair; only then `pulumi policy enable` each group. A bad config
# therefore stops the rollout before the first group changes, and a re-run after a failure is safe.
#
# The org's default policy group holds every stack in the organisation: it only takes a config whose mandatory
# rules are all mandatory in policies/config/org-baseline.json too.
#
# AUDIT=1   advisory-first rollout: every rule of every config is enabled as advisory (its other settings kept),
#           so violations are reported and nothing is blocked. Re-run without AUDIT to enforce.
# DRY_RUN=1 prints the pulumi commands that change something instead of running them.
# Needs the Pulumi CLI logged in as an organisation admin (publishing and enabling are admin actions).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 4 ] || usage
org=$1 pack=$2 version=$3
shift 3
baseline=policies/config/org-baseline.json
default_group=default-policy-group

die() { echo "enable-policy: $*" >&2; exit 1; }

if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  die "VERSION '$version': expected X.Y.Z (an explicit version, not 'latest', so every group gets the one you tested)"
fi
declared=$(sed -n 's/^version:[[:space:]]*//p' policies/PulumiPolicy.yaml | tr -d "\"' ")
[ "$declared" = "$version" ] || die "VERSION $version but policies/PulumiPolicy.yaml declares version '$declared'"

if [ -z "$pack" ] || [ "$pack" = "-" ]; then
  [ -f policies/__main__.py ] || die "no pack name given and no policies/__main__.py to read it from"
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Every pair, locally: the form, the file, JSON, the default-group guard. Nothing has been changed yet.
groups=() configs=()
for pair in "$@"; do
  group=${pair%%=*} config=${pair#*=}
  if [ -z "$group" ] || [ "$group" = "$pair" ] || [ -z "$config" ]; then
    echo "enable-policy: expected GROUP=CONFIG, got '$pair'" >&2; exit 2
  fi
  [ -f "$config" ] || die "$config (group $group) does not exist"
  python3 -m json.tool "$config" >/dev/null 2>&1 || die "$config (group $group) is not valid JSON"
  if [ "$group" = "$default_group" ]; then
    python3 - "$config" "$baseline" <<'PY' || exit 1
import json, sys
def mandatory(path):
    doc = json.load(open(path))
    level = lambda v: v if isinstance(v, str) else (v or {}).get("enforcementLevel")
    return {k for k, v in doc.items() if level(v) == "mandatory"}
extra = sorted(mandatory(sys.argv[1]) - mandatory(sys.argv[2]))
if extra:
    sys.exit(f"enable-policy: {sys.argv[1]} makes {', '.join(extra)} mandatory, but the org's default policy "
             f"group holds every stack in the organisation; it takes only the baseline's mandatory set "
             f"({sys.argv[2]}). Put stricter configs on a dedicated group.")
PY
  fi
  if [ "${AUDIT:-0}" = "1" ]; then
    # Advisory-first: the same settings, every rule advisory.
    audited="$work/${#configs[@]}-$(basename "$config")"
    python3 - "$config" "$audited" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
out = {}
for name, value in doc.items():
    out[name] = "advisory" if isinstance(value, str) else {**(value or {}), "enforcementLevel": "advisory"}
json.dump(out, open(sys.argv[2], "w"), indent=2, sort_keys=True)
PY
    config=$audited
  fi
  groups+=("$group") configs+=("$config")
done

# 2. Publish once: a re-run after a failed enable must not try to publish the same version again.
listed=$(pulumi policy ls "$org" --json)
if printf '%s' "$listed" | python3 -c '
import json, sys
packs = json.load(sys.stdin) or []
sys.exit(0 if any(p.get("name") == sys.argv[1] and sys.argv[2] in (p.get("versions") or []) for p in packs) else 1)
' "$pack" "$version"; then
  echo "enable-policy: $org/$pack $version is already published; not publishing it again"
else
  (cd policies && run pulumi policy publish "$org")
  echo "enable-policy: published $org/$pack $version"
fi

# 3. Validate every config against the published schema before the first enable.
for i in "${!groups[@]}"; do
  pulumi policy validate-config "$org/$pack" "$version" --config "${configs[$i]}" >/dev/null \
    || die "${configs[$i]} (group ${groups[$i]}) is not valid for $org/$pack $version; nothing was enabled"
done

# 4. Enable.
mode=$([ "${AUDIT:-0}" = "1" ] && echo "advisory only (audit)" || echo "as configured")
for i in "${!groups[@]}"; do
  run pulumi policy enable "$org/$pack" "$version" --policy-group "${groups[$i]}" --config "${configs[$i]}"
  echo "enable-policy: $org/$pack $version enabled for policy group ${groups[$i]}, $mode$([ "${DRY_RUN:-0}" = 1 ] && echo ' (dry run)')"
done
