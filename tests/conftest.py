"""Fixtures for the Pulumi program tests.

Nothing here touches the Pulumi runtime at import time, and nothing is autouse: each program run happens
inside its own copied context (see ``tests/mocks.py``), so other suites under ``tests/`` are unaffected.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # lets `tests.mocks`, `components` import under plain `pytest` too
    sys.path.insert(0, str(ROOT))

from tests.mocks import Run, StrictMocks, run_main, run_program  # noqa: E402

STACKS = ("dev", "staging", "prod")


@pytest.fixture
def run() -> Callable[..., Run]:
    """Run a program (a callable that builds resources) under strict mocks; returns what it registered."""
    return run_program


@pytest.fixture
def strict_mocks() -> StrictMocks:
    """Fresh strict mocks, for tests that change the answered invokes."""
    return StrictMocks()


@pytest.fixture(scope="session")
def stack_run() -> Callable[[str], Run]:
    """``__main__.py`` run once per stack (dev, staging, prod) with that stack's config; cached."""
    cache: dict[str, Run] = {}

    def get(stack: str) -> Run:
        if stack not in cache:
            cache[stack] = run_main(stack)
        return cache[stack]

    return get


@pytest.fixture
def run_stack() -> Callable[..., Run]:
    """``__main__.py`` for a stack with config overrides (uncached)."""
    return run_main
