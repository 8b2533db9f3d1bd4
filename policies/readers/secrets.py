"""Plaintext secrets in environment variables, by confidence.

:func:`classify` looks at one ``name=value`` pair and returns a :class:`Finding` with a confidence:

* ``HIGH``: the value itself is a credential, whatever the name: a token format a maintained detector knows
  (``detect-secrets``' format plugins: AWS, GitHub, GitLab, Slack, Stripe, JWT, private keys, basic-auth URLs,
  ...), an AWS secret access key, a password in a connection string of any common form (URL userinfo or query
  parameter, ``Key=Value;`` strings, libpq ``key=value`` DSNs, ``user/password@host``), or a JSON value holding a
  secret-named key with a value; or the name says "secret" clearly (``DB_PASSWORD``, ``DBPASSWORD``,
  ``clientSecret``, the AWS names Security Hub ECS.8 lists) and the value is not a setting about the secret
  (a number, a flag, a URL without credentials, an ARN or path that points at one).
* ``FUZZY``: only a weak word in the name (``SIGNING_KEY``, ``AUTH``, ``SALT``) with a value that does not look
  like a credential, nor like a mode or a name (``DB_AUTH=iam`` is a setting).

Names that merely mention a secret are settings (``PASSWORD_MIN_LENGTH``, ``TOKEN_TTL``, ``PASSWORD_RESET_URL``,
``STRIPE_PUBLISHABLE_KEY``) and are not findings when their value is a setting too.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

HIGH, FUZZY = "high", "fuzzy"

# Security Hub ECS.8 names these explicitly.
AWS_NAMES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"}
# Words that say the value is a secret, matched inside names with or without separators (DBPASSWORD).
STRONG = ("password", "passwd", "pwd", "passphrase", "secret", "apikey", "privatekey", "accesskey", "secretkey",
          "authtoken", "accesstoken", "refreshtoken", "bearertoken", "sessiontoken", "credential", "token",
          "connectionstring", "connstr", "dsn")
# Words that only may: reported as fuzzy findings.
WEAK = ("key", "pass", "auth", "cred", "creds", "salt", "signature", "cert", "private")
# A name ending in one of these is a setting about a secret, not the secret (PASSWORD_MIN_LENGTH, TOKEN_TTL).
MODIFIERS = ("length", "len", "minlength", "maxlength", "min", "max", "ttl", "expiry", "expires", "expiration",
             "lifetime", "timeout", "count", "size", "rounds", "days", "seconds", "minutes", "hours", "url",
             "uri", "endpoint", "host", "path", "file", "dir", "arn", "arns", "id", "ids", "name", "prefix",
             "region", "version", "header", "policy", "enabled", "required", "type", "algorithm", "alg",
             "method", "mode", "format", "field", "param", "location", "ref", "store", "provider", "issuer",
             "audience", "scope", "scopes", "strength", "complexity", "pattern", "regex", "rotation")
# Keys that are public by design.
PUBLIC = ("public", "publishable", "sitekey", "pubkey", "publickey", "anonkey", "clientid", "keyid")
# Data keys, not credentials (SORT_KEY, CACHE_KEY_PREFIX).
DATA_KEYS = ("sort", "partition", "primary", "foreign", "hash", "range", "cache", "object", "idempotency",
             "lookup", "index", "routing", "s3", "dedup", "row", "composite", "group", "message", "redis",
             "kms", "license")
# Query or key=value parameters that carry a credential in a connection string.
SECRET_PARAMS = {"password", "pwd", "passwd", "pass", "secret", "token", "accesstoken", "apikey", "key",
                 "clientsecret", "sig", "signature", "xamzsignature", "xamzsecuritytoken", "accountkey",
                 "sharedaccesskey", "sharedaccesssignature", "authtoken", "auth", "privatekey"}

_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])"
                             r"(?=[A-Za-z0-9/+]*[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_USER_PASS_AT = re.compile(r"^[\w.$-]+/[^\s/@]+@[\w.:/-]+")
_KV = re.compile(r"(?:^|[;\s,])\s*([A-Za-z][A-Za-z0-9 _.-]*?)\s*=\s*(\"[^\"]*\"|'[^']*'|[^;\s,&]*)")
_DETECTOR_PLUGINS = [
    "ArtifactoryDetector", "AWSKeyDetector", "AzureStorageKeyDetector", "BasicAuthDetector", "CloudantDetector",
    "DiscordBotTokenDetector", "GitHubTokenDetector", "GitLabTokenDetector", "IbmCloudIamDetector",
    "IbmCosHmacDetector", "JwtTokenDetector", "MailchimpDetector", "NpmDetector", "OpenAIDetector",
    "PrivateKeyDetector", "PypiTokenDetector", "SendGridDetector", "SlackDetector", "SoftlayerDetector",
    "SquareOAuthDetector", "StripeDetector", "TelegramBotTokenDetector", "TwilioKeyDetector",
]


@dataclass(frozen=True)
class Finding:
    confidence: str  # HIGH or FUZZY
    why: str


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _tokens(name: str) -> List[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def detector_hits(value: str) -> List[str]:
    """The secret types ``detect-secrets``' format plugins find in ``value`` (entropy and keyword plugins are
    left out: they guess, and the name rules below do that job with a stated confidence)."""
    return list(_detector_hits(value))


@lru_cache(maxsize=4096)
def _detector_hits(value: str) -> Tuple[str, ...]:
    # Cached: two rules read every container's environment, and a scan costs about 1.6 ms (the settings switch).
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    with transient_settings({"plugins_used": [{"name": n} for n in _DETECTOR_PLUGINS]}):
        return tuple(sorted({s.type for s in scan_line(value)}))


def _benign_value(value: str) -> bool:
    """A value that is a setting, not a secret: empty, a number, a flag, a reference or a URL without
    credentials."""
    text = value.strip()
    if not text or text.lower() in ("true", "false", "yes", "no", "on", "off", "none", "null", "enabled",
                                    "disabled"):
        return True
    if re.fullmatch(r"[+-]?\d+(\.\d+)?[smhdw]?", text):
        return True
    if text.startswith(("arn:", "/", "alias/", "file:", "ssm:", "secretsmanager:")):
        return True
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        return _connection_secret(text) is None
    return False


def _setting_name(tokens: List[str], compact: str) -> bool:
    if tokens and tokens[-1] in MODIFIERS:
        return True
    if len(tokens) > 1 and tokens[0] in ("max", "min"):
        return True
    return len(tokens) == 1 and any(compact.endswith(m) and compact != m and len(m) >= 3 for m in MODIFIERS
                                    if m not in ("id", "ids"))


def name_strength(name: str) -> Optional[str]:
    """HIGH if the name says the value is a secret, FUZZY if it only may, None if it is a setting or unrelated."""
    if name.upper() in AWS_NAMES:
        return HIGH
    if name.upper() in ("PWD", "OLDPWD"):
        return None  # the shell's working directory
    tokens, compact = _tokens(name), _compact(name)
    if _setting_name(tokens, compact) or any(p in compact for p in PUBLIC):
        return None
    if any(word in compact for word in STRONG):
        return HIGH
    for i, t in enumerate(tokens):
        if t in WEAK and not (t == "key" and i > 0 and tokens[i - 1] in DATA_KEYS):
            return FUZZY
    return None


def _entropy(text: str) -> float:
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _looks_random(value: str) -> bool:
    text = value.strip()
    return len(text) >= 16 and " " not in text and _entropy(text) >= 3.5


def _param_secret(key: str, value: str) -> bool:
    value = value.strip().strip("\"'")
    return _compact(key) in SECRET_PARAMS and bool(value) and not value.startswith(("${", "{{", "%("))


def _connection_secret(value: str) -> Optional[str]:
    """Why a connection string carries a credential, or None."""
    text = value.strip()
    url = text[5:] if text.lower().startswith("jdbc:") else text
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        try:
            parts = urlsplit(url)
            password = parts.password
        except ValueError:
            parts, password = None, None
        if password:
            return "a password in the URL's userinfo"
        if parts is not None:
            for key, val in parse_qsl(parts.query, keep_blank_values=True) + parse_qsl(
                    parts.fragment, keep_blank_values=True):
                if _param_secret(key, val):
                    return f"a credential in the URL's {key!r} parameter"
    if _USER_PASS_AT.match(text):
        return "a user/password@host connect string"
    for key, val in _KV.findall(text):
        if _param_secret(key, val):
            return f"a credential in the connection string's {key.strip()!r} part"
    return None


def _walk_json(value: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_json(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_json(v, f"{path}[{i}]")
    else:
        yield path, value


def _value_finding(value: str, depth: int = 0) -> Optional[Finding]:
    hits = detector_hits(value)
    if hits:
        return Finding(HIGH, f"its value is a credential ({', '.join(hits)}, found by detect-secrets)")
    if _AWS_SECRET_KEY.search(value):
        return Finding(HIGH, "its value holds an AWS secret access key")
    why = _connection_secret(value)
    if why:
        return Finding(HIGH, f"its value is a connection string with {why}")
    text = value.strip()
    if depth < 3 and text[:1] in "{[":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        for path, inner in _walk_json(data):
            key = re.split(r"[.\[]", path)[-1] if path else ""
            inner_text = inner if isinstance(inner, str) else None
            if inner_text is None:
                continue
            found = _value_finding(inner_text, depth + 1)
            if found is None and name_strength(key) == HIGH and not _benign_value(inner_text):
                found = Finding(HIGH, f"its JSON value has a secret at {path!r}")
            if found:
                return Finding(found.confidence, found.why if "JSON" in found.why else
                               f"its JSON value has a secret at {path!r} ({found.why})")
    return None


def classify(name: Any, value: Any) -> Optional[Finding]:
    """The finding for an environment entry ``name=value``, or None."""
    name = name if isinstance(name, str) else ""
    value = value if isinstance(value, str) else ("" if value is None else json.dumps(value, default=str))
    found = _value_finding(value) if value else None
    if found:
        return found
    strength = name_strength(name) if name else None
    if strength is None or (strength == HIGH and name.upper() not in AWS_NAMES and _benign_value(value)):
        return None
    if strength == FUZZY:
        if _benign_value(value) or re.fullmatch(r"[a-z][a-z0-9_.-]{0,19}", value.strip()):
            return None  # a mode or a name (DB_AUTH=iam), not a credential
        if _looks_random(value):
            return Finding(HIGH, "its name suggests a secret and its value is long and random")
        return Finding(FUZZY, "its name suggests a secret")
    return Finding(HIGH, "its name says it holds a secret")
