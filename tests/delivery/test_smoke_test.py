""".github/scripts/smoke-test.py against local servers on 127.0.0.1: a TLS server whose certificate (from a CA
made here) is for a test name, and a plain HTTP one. The script must verify the certificate against the URL's
name, wait for the deployed version, fail on the old one, and refuse HTTPS to a load balancer name."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".github/scripts/smoke-test.py"
NAME = "app.smoke.test"
NEW = "sha256:" + "a" * 64
OLD = "sha256:" + "b" * 64


def _cert(subject: str, issuer_key, issuer_name, key, *, ca: bool, names=()):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A throwaway CA, and a server certificate for NAME (and 127.0.0.1 as an IP, so only the name is wrong
    when the test asks for another name)."""
    d = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("smoke test CA", ca_key, None, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _cert(NAME, ca_key, ca.subject, key, ca=False,
                 names=[x509.DNSName(NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    (d / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (d / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    return d


class _App(BaseHTTPRequestHandler):
    """Answers /readyz like the app: 200, header x-app-version and body {"status", "version"}. ``versions`` is
    consumed one per request (the last one repeats); ``hits`` counts requests."""

    versions: list = []
    hits = 0
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            type(self).hits += 1
            entry = self.versions.pop(0) if len(self.versions) > 1 else self.versions[0]
        status, header, body_version = entry if isinstance(entry, tuple) else (200, entry, entry)
        body = json.dumps({"status": "ok", "version": body_version}).encode()
        self.send_response(status if self.path == "/readyz" else 404)
        if header:
            self.send_header("x-app-version", header)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(tls_dir: Path | None):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    if tls_dir is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_dir / "server.pem", tls_dir / "server.key")
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd


@pytest.fixture
def tls_server(pki):
    _App.hits = 0
    httpd = _serve(pki)
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def http_server():
    _App.hits = 0
    httpd = _serve(None)
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def smoke(pki, *args, timeout: float = 3) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSL_CERT_FILE": str(pki / "ca.pem")}  # the test CA instead of the system store
    env.pop("SSL_CERT_DIR", None)
    return subprocess.run([sys.executable, str(SCRIPT), *args, "--timeout", str(timeout), "--interval", "0.1"],
                          capture_output=True, text=True, env=env, timeout=60)


def test_https_with_the_right_name_and_version_passes(pki, tls_server):
    _App.versions = [NEW]
    result = smoke(pki, f"https://{NAME}:{tls_server}", NEW, "--resolve", f"{NAME}:{tls_server}:127.0.0.1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"serves {NEW}" in result.stdout


def test_https_with_a_name_the_certificate_does_not_cover_fails_at_once(pki, tls_server):
    _App.versions = [NEW]
    other = "other.smoke.test"
    result = smoke(pki, f"https://{other}:{tls_server}", NEW, "--resolve", f"{other}:{tls_server}:127.0.0.1",
                   timeout=30)
    assert result.returncode == 1
    assert f"certificate verification failed for {other}" in result.stdout
    assert "Hostname mismatch" in result.stdout or "hostname" in result.stdout.lower()
    assert _App.hits == 0  # no request was sent over the unverified connection


def test_https_with_an_untrusted_certificate_fails(pki, tls_server):
    _App.versions = [NEW]
    env = {**os.environ}
    env.pop("SSL_CERT_FILE", None)  # the system store does not know the test CA
    result = subprocess.run([sys.executable, str(SCRIPT), f"https://{NAME}:{tls_server}", NEW, "--resolve",
                             f"{NAME}:{tls_server}:127.0.0.1", "--timeout", "5", "--interval", "0.1"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "certificate verification failed" in result.stdout


def test_the_old_version_answering_200_fails_the_smoke_test(pki, tls_server):
    # After a circuit-breaker rollback the old tasks are healthy and answer 200: that is a failed deploy.
    _App.versions = [OLD]
    result = smoke(pki, f"https://{NAME}:{tls_server}", NEW, "--resolve", f"{NAME}:{tls_server}:127.0.0.1",
                   timeout=1)
    assert result.returncode == 1
    assert f"did not serve version {NEW}" in result.stdout
    assert f"last: 200 from version {OLD}" in result.stdout
    assert "rolled back" in result.stdout
    assert _App.hits > 1


def test_waits_while_the_rollout_replaces_the_old_version(pki, tls_server):
    _App.versions = [(503, "", ""), OLD, OLD, NEW]
    result = smoke(pki, f"https://{NAME}:{tls_server}", NEW, "--resolve", f"{NAME}:{tls_server}:127.0.0.1",
                   timeout=20)
    assert result.returncode == 0, result.stdout
    assert "(attempt 4)" in result.stdout
    assert "waiting" in result.stdout and "status 503" in result.stdout


def test_header_and_readyz_body_must_both_name_the_version(pki, tls_server):
    _App.versions = [(200, NEW, OLD)]
    result = smoke(pki, f"https://{NAME}:{tls_server}", NEW, "--resolve", f"{NAME}:{tls_server}:127.0.0.1",
                   timeout=1)
    assert result.returncode == 1
    assert f"(readyz version {OLD})" in result.stdout


def test_plain_http_on_the_load_balancer_name_is_what_dev_uses(pki, http_server):
    _App.versions = [NEW]
    elb = "webservice-dev-alb-123456789.us-east-1.elb.amazonaws.com"
    result = smoke(pki, f"http://{elb}:{http_server}/", NEW, "--resolve", f"{elb}:{http_server}:127.0.0.1")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("host", [
    "webservice-prod-alb-123456789.us-east-1.elb.amazonaws.com",
    "internal-app-1.eu-west-1.elb.amazonaws.com.",
    "WEB-1.CN-NORTH-1.ELB.AMAZONAWS.COM.CN",
])
def test_https_to_a_load_balancer_name_is_refused_before_any_request(pki, tls_server, host):
    _App.versions = [NEW]
    result = smoke(pki, f"https://{host}:{tls_server}", NEW, "--resolve", f"{host}:{tls_server}:127.0.0.1")
    assert result.returncode == 2
    assert "refusing HTTPS to the load balancer's own DNS name" in result.stdout
    assert _App.hits == 0


@pytest.mark.parametrize("args, message", [
    (["ftp://example.com", NEW], "expected http://<host> or https://<host>"),
    (["https://app.example.com", " "], "version is empty"),
    (["https://app.example.com", NEW, "--resolve", "app.example.com:443"], "expected HOST:PORT:ADDRESS"),
    (["https://app.example.com", NEW, "--resolve", "other.example.com:443:127.0.0.1"], "does not match"),
])
def test_bad_arguments_are_refused_with_a_message(pki, args, message):
    result = smoke(pki, *args)
    assert result.returncode == 2
    assert message in result.stdout
