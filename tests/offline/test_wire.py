"""The wire vocabulary is the SDK's own, and the one module every part reads it from."""

from __future__ import annotations

import subprocess

from pulumi.runtime import rpc

from offline import wire
from offline_support import ROOT


def test_sentinels_are_the_sdks_constants():
    assert wire.UNKNOWN is rpc.UNKNOWN
    assert wire.SECRET_SIG_KEY is rpc._special_sig_key  # noqa: SLF001 - what the module must mirror
    assert wire.SECRET_SIG is rpc._special_secret_sig  # noqa: SLF001 - as above


def test_a_secret_unwraps_to_its_value_even_when_wrapped_twice():
    assert wire.is_secret(wire.secret("pw")) and not wire.is_secret({"value": "pw"})
    assert wire.plain(wire.secret(wire.secret("pw"))) == "pw"
    assert wire.plain({"value": "pw"}) == {"value": "pw"}


def test_urns_chain_the_parent_type_except_under_the_stack():
    stack = "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev"
    parent = "urn:pulumi:dev::app::awsx:ec2:Vpc::net"
    assert wire.make_urn("dev", "app", "", "aws:ec2/vpc:Vpc", "v") == "urn:pulumi:dev::app::aws:ec2/vpc:Vpc::v"
    assert wire.make_urn("dev", "app", stack, "aws:ec2/vpc:Vpc", "v") == "urn:pulumi:dev::app::aws:ec2/vpc:Vpc::v"
    assert wire.make_urn("dev", "app", parent, "aws:ec2/vpc:Vpc", "v") == \
        "urn:pulumi:dev::app::awsx:ec2:Vpc$aws:ec2/vpc:Vpc::v"


def test_no_copy_of_a_sentinel_value_is_left_in_the_tree():
    """The literal values live only in the SDK; the pack keeps what pulumi_policy gives it."""
    literals = [rpc.UNKNOWN, rpc._special_sig_key, rpc._special_secret_sig]  # noqa: SLF001 - the values sought
    found = subprocess.run(["git", "grep", "-l", *[arg for value in literals for arg in ("-e", value)], "--", "."],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert found.returncode in (0, 1), found.stderr
    assert found.stdout.split() == []
