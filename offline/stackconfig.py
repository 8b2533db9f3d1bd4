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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

SECRET_PLACEHOLDER = "[secret: set PULUMI_CONFIG_PASSPHRASE to decrypt]"
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 20x faster


class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """YAML 1.2 booleans, as the CLI's Go YAML reads them: only true/false (any case), not yes/no/on/off."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_LOADER = _Loader

PBKDF2_ITERATIONS = 1_000_000


def read_yaml(path: Path) -> Any:
    """A YAML file as the CLI's Go YAML reads it (see ``_Loader``), parsed by libyaml when present."""
    return yaml.load(path.read_text(), Loader=_LOADER)


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
    """A config value as the CLI stores it: primitives as their text (``3``, ``true``, ``1.5``), lists and maps
    as JSON. A whole float prints without a fraction, as Go's ``%v`` does."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
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
    """A project config entry is either a bare value or a schema dict with ``default``/``value``. With both, the
    CLI uses ``default`` (it assigns ``value``, then overwrites it with ``default``)."""
    if isinstance(spec, dict) and ({"type", "description", "default", "value", "secret", "items"} & spec.keys()):
        if "default" in spec:
            return True, spec["default"]
        if "value" in spec:
            return True, spec["value"]
        return False, None
    return True, spec


def _valid(type_name: str, items: Any, value: Any) -> bool:
    """The CLI's ``ValidateConfigValue``: a string passes as an integer when it parses as one, as a boolean when
    it is ``true`` or ``false``; an array is a JSON list whose items pass the item type."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value) is not None
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if not isinstance(value, list) or not isinstance(items, dict):
        return False
    return all(_valid(items.get("type", ""), items.get("items"), item) for item in value)


def _type_name(spec: dict) -> str:
    items = spec.get("items")
    return f"array<{_type_name(items)}>" if isinstance(items, dict) else str(spec.get("type"))


def _type_problem(stack: str, key: str, text: str, spec: Any, secure: bool) -> str:
    """The CLI checks every explicitly typed key, after the project defaults are merged in, on the stored text
    (JSON-decoded for lists and maps): ``Stack 'dev' with configuration key 'x' must be of type 'integer'``."""
    if not isinstance(spec, dict) or "type" not in spec:
        return ""
    if spec.get("secret") and not secure:
        return f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret"
    content: Any = text
    if spec.get("type") == "array" or text[:1] in "[{":
        try:
            content = json.loads(text)
        except ValueError:
            content = text
    if _valid(str(spec["type"]), spec.get("items"), content):
        return ""
    return f"Stack '{stack}' with configuration key '{key}' must be of type '{_type_name(spec)}'"


def load_stack_config(program_dir: Path | str, stack: str, passphrase: Optional[str] = None) -> StackConfig:
    program_dir = Path(program_dir).resolve()
    project_file = program_dir / "Pulumi.yaml"
    if not project_file.exists():
        raise ConfigError(f"{project_file} not found")
    project_doc = read_yaml(project_file) or {}
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
    short: dict[str, str] = {}
    for key, spec in (project_doc.get("config") or {}).items():
        qk = _qualify(project, key)
        declared[qk] = spec
        short[qk] = key
        has, value = _default_of(spec)
        if has:
            values[qk] = _to_config_string(value)
            origin[qk] = "Pulumi.yaml"

    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise ConfigError(f"{stack_file} not found (stack {stack!r})")
    stack_doc = read_yaml(stack_file) or {}
    undecrypted: list[str] = []
    state_key: Optional[bytes] = None
    for raw_key, value in (stack_doc.get("config") or {}).items():
        qk = _qualify(project, raw_key)
        origin[qk] = stack_file.name
        if isinstance(value, dict) and set(value) == {"secure"}:
            secret_keys.add(qk)
            if passphrase:
                if state_key is None:
                    salt = stack_doc.get("encryptionsalt")
                    if not salt:
                        raise ConfigError(f"{stack_file.name}: secure values but no encryptionsalt")
                    state_key = key_from_state(passphrase, salt)
                values[qk] = decrypt_value(state_key, value["secure"])
            else:
                values[qk] = SECRET_PLACEHOLDER
                undecrypted.append(qk)
        else:
            values[qk] = _to_config_string(value)
    # Only keys of the project's own namespace are required (aws:region declared without a default is not).
    missing = sorted(short[k] for k, spec in declared.items()
                     if k not in values and isinstance(spec, dict) and k.startswith(project + ":"))
    if missing:
        raise ConfigError(f"{stack_file}: Stack '{stack}' is missing configuration "
                          f"value{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)} "
                          "(declared in Pulumi.yaml without a default)")
    problems = [_type_problem(stack, short[k], values[k], declared[k], k in secret_keys)
                for k in sorted(declared, key=lambda k: short[k]) if k in values and k not in undecrypted]
    problems = [p for p in problems if p]
    if problems:
        raise ConfigError(f"{stack_file}: " + "; ".join(problems))
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
