#!/usr/bin/env python3
"""Smoke test after a deploy: wait until the public URL serves the release that was just deployed.

    smoke-test.py URL VERSION [--timeout SECONDS] [--interval SECONDS] [--resolve HOST:PORT:ADDRESS]

URL is the stack's `url` output: https://<domain> when the stack has a domain, http://<ALB DNS name> when it has
none (dev). VERSION is what the deploy set (the image digest, sha256:...). The test passes when GET <URL>/readyz
answers 200 with header `x-app-version` and body field `version` both equal to VERSION. An answer from another
version (the old tasks during a rollout, or after a circuit-breaker rollback) keeps it waiting, and fails it at the
deadline.

- HTTPS always verifies the certificate against the URL's host name (the system CA store, or SSL_CERT_FILE), and
  a verification failure fails at once: a wrong certificate does not fix itself.
- HTTPS to the load balancer's own name (*.elb.amazonaws.com) is refused before any request: no ACM
  certificate can cover that name, so the check could never pass.
- --resolve sends the request to ADDRESS while keeping HOST for TLS and the Host header (like curl's --resolve),
  for checking a load balancer before DNS points at it.

Exit status: 0 passed, 1 failed, 2 bad arguments. Only the standard library, so it runs on any runner's python3.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import ssl
import sys
import time
import urllib.parse

ELB_SUFFIXES = (".elb.amazonaws.com", ".elb.amazonaws.com.cn")
HEADER = "x-app-version"


class Refused(Exception):
    """The check cannot succeed as asked; fail without retrying."""


def error(title: str, message: str) -> None:
    # A GitHub annotation on CI, plain text elsewhere.
    print(f"::error title={title}::{message}", flush=True)


def parse_target(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"url {url!r}: expected http://<host> or https://<host>")
    host = parts.hostname.lower().rstrip(".")
    if parts.scheme == "https" and host.endswith(ELB_SUFFIXES):
        raise Refused(
            f"url {url!r}: refusing HTTPS to the load balancer's own DNS name; no ACM certificate can cover "
            f"*.elb.amazonaws.com, so this check could never pass. Give the stack a domain (its url output then "
            f"is https://<domain>), or use http:// on the load balancer name in dev.")
    return parts


def parse_resolve(value: str | None, parts: urllib.parse.SplitResult) -> str | None:
    if not value:
        return None
    host, port, address = (value.split(":", 2) + ["", ""])[:3]
    if not host or not port.isdigit() or not address:
        raise Refused(f"--resolve {value!r}: expected HOST:PORT:ADDRESS")
    default_port = 443 if parts.scheme == "https" else 80
    if host.lower() != parts.hostname.lower() or int(port) != (parts.port or default_port):
        raise Refused(f"--resolve {value!r} does not match the url's host and port")
    return address


def fetch(parts: urllib.parse.SplitResult, address: str | None, timeout: float) -> tuple[int, str, str]:
    """GET <url>/readyz; returns (status, x-app-version header, body)."""
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = socket.create_connection((address or host, port), timeout=timeout)
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context()  # verifies the chain and the host name
            sock = context.wrap_socket(sock, server_hostname=host)
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=timeout,
                                                                            context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.sock = sock
        path = parts.path.rstrip("/") + "/readyz"
        conn.request("GET", path, headers={"Host": parts.netloc, "Accept": "application/json",
                                           "User-Agent": "webservice-smoke-test"})
        response = conn.getresponse()
        body = response.read(65536).decode("utf-8", "replace")
        return response.status, response.getheader(HEADER) or "", body
    finally:
        sock.close()


def body_version(body: str) -> str:
    try:
        doc = json.loads(body)
    except ValueError:
        return ""
    return str(doc.get("version", "")) if isinstance(doc, dict) else ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url")
    p.add_argument("version")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds until the test fails (default 600)")
    p.add_argument("--interval", type=float, default=10.0, help="seconds between attempts (default 10)")
    p.add_argument("--resolve", help="HOST:PORT:ADDRESS, connect to ADDRESS for HOST:PORT")
    args = p.parse_args(argv)

    try:
        if not args.version.strip():
            raise Refused("version is empty: pass the version the deploy set (the image digest)")
        parts = parse_target(args.url)
        address = parse_resolve(args.resolve, parts)
    except Refused as exc:
        error("Smoke test refused", str(exc))
        return 2

    target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/readyz", "", ""))
    deadline = time.monotonic() + args.timeout
    attempt, last = 0, "no answer"
    while True:
        attempt += 1
        try:
            status, header, body = fetch(parts, address, timeout=min(10.0, max(args.timeout, 1.0)))
            served = body_version(body)
            if status == 200 and header == args.version and served == args.version:
                print(f"smoke test passed: {target} serves {args.version} (attempt {attempt})", flush=True)
                return 0
            if status == 200:
                last = f"200 from version {header or '(no x-app-version header)'} (readyz version {served or '-'})"
            else:
                last = f"status {status}, version {header or '-'}"
        except ssl.SSLCertVerificationError as exc:
            error("Smoke test failed", f"{target}: certificate verification failed for {parts.hostname}: "
                  f"{exc.verify_message or exc}")
            return 1
        except (OSError, http.client.HTTPException) as exc:
            last = f"no answer ({exc.__class__.__name__}: {exc})"
        if time.monotonic() >= deadline:
            error("Smoke test failed", f"{target} did not serve version {args.version} within {args.timeout:g}s; "
                  f"last: {last}; {attempt} attempt(s). If the old version still answers, the deployment was "
                  f"rolled back (ECS circuit breaker) or is still in progress.")
            return 1
        print(f"waiting: {target}: {last} (attempt {attempt})", flush=True)
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
