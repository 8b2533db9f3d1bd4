#!/usr/bin/env bash
# Create or update this workflow's comment on a pull request: the one whose body starts with the first line of
# BODY_FILE (a hidden marker such as <!-- pulumi:dev -->), so each stack keeps one comment that every run updates.
#
#   pr-comment.sh PR_NUMBER BODY_FILE
#
# Needs the GitHub CLI with GH_TOKEN (pull-requests: write) and GH_REPO=owner/name.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: pr-comment.sh PR_NUMBER BODY_FILE" >&2; exit 2; }
pr=$1 body=$2
[[ $pr =~ ^[0-9]+$ ]] || { echo "pr-comment: PR number '$pr' is not a number" >&2; exit 2; }
[ -s "$body" ] || { echo "pr-comment: $body is empty" >&2; exit 2; }
marker=$(head -n 1 "$body")
[[ $marker == '<!--'*'-->' ]] || { echo "pr-comment: the first line of $body must be a <!-- marker -->" >&2; exit 2; }

existing=$(gh api --paginate "repos/{owner}/{repo}/issues/$pr/comments" \
  --jq ".[] | select(.user.login == \"github-actions[bot]\") | select(.body | startswith(\"$marker\")) | .id" | tail -n 1)
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/{owner}/{repo}/issues/comments/$existing" -F "body=@$body" --silent
  echo "pr-comment: updated comment $existing on #$pr"
else
  gh api --method POST "repos/{owner}/{repo}/issues/$pr/comments" -F "body=@$body" --silent
  echo "pr-comment: commented on #$pr"
fi
