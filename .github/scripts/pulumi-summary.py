#!/usr/bin/env python3
"""Markdown for the job summary and the PR comment, written from the Pulumi CLI's own text output.

    pulumi-summary.py --stack STACK --title TITLE --status EXIT_CODE OUTPUT_FILE > summary.md

It works whether the command passed or failed, because it reads what the CLI printed rather than a result object
(a failed preview still prints its policy results). The policy section ("Policies:", or "Policy Violations:" in
older CLIs), the diagnostics and the resource counts come first and are never cut; the full output follows in a
collapsed block, cut from the front when it is too long, so the end (the summary and the error) always survives.
The first line is a hidden marker, `<!-- pulumi:STACK -->`, so a PR comment for the stack can be found and updated.
Only the standard library.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
HEADER = re.compile(r"^([A-Z][A-Za-z ]*):\s*$")
POLICY_HEADERS = ("Policies", "Policy Violations")
LIMIT = 60000  # a GitHub comment body holds 65,536 characters


def sections(lines: list[str]) -> dict[str, list[str]]:
    """Top-level sections of the CLI output: a header line `Name:` at column 0 and the indented lines under it."""
    found: dict[str, list[str]] = {}
    current = None
    for line in lines:
        match = HEADER.match(line)
        if match:
            current = match.group(1)
            found.setdefault(current, [])
        elif current is not None:
            if line and not line[0].isspace():
                current = None
            else:
                found[current].append(line)
    return {name: _trim(body) for name, body in found.items()}


def _trim(body: list[str]) -> list[str]:
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    return body


def fenced(lines: list[str]) -> str:
    text = "\n".join(lines).replace("```", "`\u200b``")
    return f"```\n{text}\n```"


def render(stack: str, title: str, status: int, output: str, limit: int = LIMIT) -> str:
    text = ANSI.sub("", output).replace("\r\n", "\n")
    lines = text.split("\n")
    found = sections(lines)
    policy = next((found[h] for h in POLICY_HEADERS if h in found), None)
    mandatory = sum(line.count("[mandatory]") for line in policy or [])
    advisory = sum(line.count("[advisory]") for line in policy or [])

    verdict = "passed" if status == 0 else f"**failed** (exit status {status})"
    head = [f"<!-- pulumi:{stack} -->", f"### {title} `{stack}`: {verdict}", ""]
    if policy is None:
        head.append("Policies: the CLI printed no policy section (it did not get as far as the policy packs, "
                    "or none ran).")
    else:
        head += [f"Policies: **{mandatory} mandatory**, {advisory} advisory violation(s).", "", fenced(policy)]
    for name in ("Diagnostics", "Resources"):
        if found.get(name):
            head += ["", f"{name}:", "", fenced(found[name])]
    head_text = "\n".join(head)

    room = limit - len(head_text) - 200
    body = text.strip("\n")
    note = ""
    if len(body) > room:
        body = body[len(body) - max(room, 0):]
        body = body.split("\n", 1)[1] if "\n" in body else body
        note = "(the start of the output is cut; the full log is in the job)\n\n"
    return (f"{head_text}\n\n<details><summary>Full output</summary>\n\n{note}"
            f"{fenced(body.split(chr(10)))}\n\n</details>\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stack", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--status", type=int, required=True)
    p.add_argument("--limit", type=int, default=LIMIT)
    p.add_argument("output", type=Path)
    args = p.parse_args(argv)
    output = args.output.read_text(errors="replace") if args.output.exists() else "(no output was captured)"
    sys.stdout.write(render(args.stack, args.title, args.status, output, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
