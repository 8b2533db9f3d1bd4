#!/usr/bin/env python3
"""The image CI builds once per commit: its platform and its tag, as `key=value` lines for $GITHUB_OUTPUT.

    .venv/bin/python .github/scripts/image-tag.py dev staging prod

- platform: the one platform of every listed stack's `architecture` (one image is promoted through all of them,
  so they must agree; the error names each stack's value otherwise);
- tag: the content hash of app/ for that platform, computed by the same function the program uses for its own
  builds (components/registry.py), so a commit that changes nothing in the image gets the same tag and CI reuses
  the digest already pushed under it instead of building again.

Run from the repository root, in the project's virtualenv (it imports the program's modules).
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from components.registry import _content_hash_tag  # noqa: E402
from components.settings import Settings  # noqa: E402
from offline.stackconfig import load_stack_config  # noqa: E402


def platform_of(architecture: str) -> str:
    # Settings.platform is the program's one mapping from `architecture` to a Docker platform.
    return Settings.platform.fget(SimpleNamespace(architecture=architecture))


def main(stacks: list[str]) -> int:
    if not stacks:
        print("usage: image-tag.py STACK [STACK ...]", file=sys.stderr)
        return 2
    arch = {}
    for stack in stacks:
        config = load_stack_config(ROOT, stack)
        arch[stack] = config.get(f"{config.project}:architecture")
    if len(set(arch.values())) != 1:
        listed = ", ".join(f"{s}={a}" for s, a in arch.items())
        print(f"image-tag: one image is promoted through {', '.join(stacks)}, so their `architecture` must be the "
              f"same; got {listed}", file=sys.stderr)
        return 1
    platform = platform_of(next(iter(arch.values())))
    print(f"platform={platform}")
    print(f"tag={_content_hash_tag(ROOT / 'app', platform)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
