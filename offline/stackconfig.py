"""Stack configuration, read the way the Pulumi CLI reads it, without the CLI.

The CLI merges the project's ``config:`` block in ``Pulumi.yaml`` (defaults; keys without a
namespace belong to the project) with ``Pulumi.<stack>.yaml`` (the stack's own values), then
hands the program a flat ``{"namespace:key": "string"}`` map plus the list of secret keys. Values
that are not strings are JSON-encoded, as the CLI does for ``PULUMI_CONFIG``.

``secure:`` values are decrypted with Pulumi's passphrase secrets provider when a passphrase is
given (``PULUMI_CONFIG_PASSPHRASE``). The scheme, checked against pulumi/pulumi
``pkg/secrets/passphrase/manager.go`` and ``sdk/go/common/resource/config/crypt.go``:

* the stack file's ``encryptionsalt`` is ``v1:<base64 salt>:v1:<base64 nonce>:<base64 ciphertext>``;
  the trailing part encrypts the word ``pulumi`` and proves the passphrase is right;
* key = PBKDF2-HMAC-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes);
* each value is ``v1:<base64 12-byte nonce>:<base64 AES-256-GCM ciphertext with its 16-byte tag>``.

Without a passphrase a secure value stays secret and is replaced by :data:`SECRET_PLACEHOLDER`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

SECRET_PLACEHOLDER = "[secret: set PULUMI_CONFIG_PASSPHRASE to decrypt]"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 20x faster
PBKDF2_ITERATIONS = 1_000_000


class ConfigError(Exception):
    """The project or stack file is missing, malformed, or a secret cannot be decrypted."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    program_dir: Path
    main: Path
    stack_file: Path
    values: dict[str, str]
    secret_keys: tuple[str, ...]
    undecrypted: tuple[str, ...] = ()
    # Where each key came from: "project default" or the stack file name.
    origin: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> Optional[str]:
        return self.values.get(key)


def _to_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, PBKDF2_ITERATIONS, 32)


def decrypt_value(key: bytes, ciphertext: str) -> str:
    """Decrypt one ``v1:<nonce>:<ciphertext>`` value."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    parts = ciphertext.split(":")
    if len(parts) != 3 or parts[0] != "v1":
        raise ConfigError(f"malformed secure value {ciphertext[:12]}...")
    try:
        plain = AESGCM(key).decrypt(base64.b64decode(parts[1]), base64.b64decode(parts[2]), None)
    except (InvalidTag, ValueError) as exc:
        raise ConfigError("secure value does not decrypt with this passphrase") from exc
    return plain.decode()


def encrypt_value(key: bytes, plaintext: str, nonce: Optional[bytes] = None) -> str:
    """The inverse of :func:`decrypt_value` (used by tests to write fixture stack files)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = nonce if nonce is not None else os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def key_from_state(passphrase: str, encryption_salt: str) -> bytes:
    """Check the passphrase against the stack's ``encryptionsalt`` and return the AES key."""
    parts = encryption_salt.split(":", 2)
    if len(parts) != 3 or parts[0] != "v1":
        raise ConfigError("malformed encryptionsalt in the stack file")
    key = derive_key(passphrase, base64.b64decode(parts[1]))
    try:
        check = decrypt_value(key, parts[2])
    except ConfigError as exc:
        raise ConfigError("incorrect passphrase (PULUMI_CONFIG_PASSPHRASE)") from exc
    if check != "pulumi":
        raise ConfigError("incorrect passphrase (PULUMI_CONFIG_PASSPHRASE)")
    return key


def _default_of(spec: Any) -> tuple[bool, Any]:
    """A project config entry is either a bare value or a schema dict with ``default``/``value``."""
    if isinstance(spec, dict) and ({"type", "description", "default", "value", "secret", "items"} & spec.keys()):
        if "value" in spec:
            return True, spec["value"]
        if "default" in spec:
            return True, spec["default"]
        return False, None
    return True, spec


_TYPES = {"string": (str,), "integer": (int,), "boolean": (bool,), "array": (list,)}


def _type_problem(key: str, value: Any, spec: Any) -> str:
    """The CLI checks stack values against the project's declared types before running anything."""
    if not isinstance(spec, dict) or spec.get("type") not in _TYPES:
        return ""
    expected = _TYPES[spec["type"]]
    ok = isinstance(value, expected) and not (spec["type"] == "integer" and isinstance(value, bool))
    return "" if ok else f"config {key!r}: {value!r} is not of the declared type {spec['type']}"


def load_stack_config(program_dir: Path | str, stack: str, passphrase: Optional[str] = None) -> StackConfig:
    program_dir = Path(program_dir).resolve()
    project_file = program_dir / "Pulumi.yaml"
    if not project_file.exists():
        raise ConfigError(f"{project_file} not found")
    project_doc = yaml.load(project_file.read_text(), Loader=_LOADER) or {}
    project = project_doc.get("name")
    if not project:
        raise ConfigError(f"{project_file}: no project name")
    main = program_dir / str(project_doc.get("main", "."))
    if main.is_dir():
        main = main / "__main__.py"

    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    origin: dict[str, str] = {}
    declared: dict[str, Any] = {}
    for key, spec in (project_doc.get("config") or {}).items():
        qk = _qualify(project, key)
        declared[qk] = spec
        has, value = _default_of(spec)
        if has:
            values[qk] = _to_config_string(value)
            origin[qk] = "Pulumi.yaml"

    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise ConfigError(f"{stack_file} not found (stack {stack!r})")
    stack_doc = yaml.load(stack_file.read_text(), Loader=_LOADER) or {}
    undecrypted: list[str] = []
    key: Optional[bytes] = None
    for raw_key, value in (stack_doc.get("config") or {}).items():
        qk = _qualify(project, raw_key)
        origin[qk] = stack_file.name
        if isinstance(value, dict) and set(value) == {"secure"}:
            secret_keys.add(qk)
            if passphrase:
                if key is None:
                    salt = stack_doc.get("encryptionsalt")
                    if not salt:
                        raise ConfigError(f"{stack_file.name}: secure values but no encryptionsalt")
                    key = key_from_state(passphrase, salt)
                values[qk] = decrypt_value(key, value["secure"])
            else:
                values[qk] = SECRET_PLACEHOLDER
                undecrypted.append(qk)
        else:
            problems = _type_problem(qk, value, declared.get(qk))
            if problems:
                raise ConfigError(problems)
            values[qk] = _to_config_string(value)
    missing = [k for k, spec in declared.items() if k not in values and isinstance(spec, dict)]
    if missing:
        raise ConfigError(f"{stack_file.name}: missing required configuration key(s) {', '.join(sorted(missing))} "
                          "(declared in Pulumi.yaml without a default)")
    return StackConfig(
        project=project,
        stack=stack,
        program_dir=program_dir,
        main=main,
        stack_file=stack_file,
        values=values,
        secret_keys=tuple(sorted(secret_keys)),
        undecrypted=tuple(sorted(undecrypted)),
        origin=origin,
    )
