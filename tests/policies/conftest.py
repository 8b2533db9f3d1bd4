"""One policy-pack process per test session, started as the Pulumi CLI starts it (see offline.analyzer)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `offline` and `policies` import under plain `pytest` too
    sys.path.insert(0, str(ROOT))

from offline.analyzer import PolicyPackProcess  # noqa: E402

PACK_DIR = ROOT / "policies"


@pytest.fixture(scope="session")
def pack_process():
    with PolicyPackProcess(PACK_DIR) as process:
        process.configure({})
        yield process


@pytest.fixture
def pack(pack_process):
    """The running pack with its default config; any config a test sets is reset afterwards."""
    yield pack_process
    pack_process.configure({})
