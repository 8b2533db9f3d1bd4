"""The harness itself: it starts a pack as the CLI does and surfaces a broken pack's stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.analyzer import PREVIEW_SKIP, PackStartError, PolicyPackProcess, stack_configure_request, to_struct
from offline.wire import UNKNOWN, make_urn, secret


def test_a_pack_that_fails_to_start_reports_its_stderr(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('broken pack: no policies')\n")
    with pytest.raises(PackStartError, match="broken pack: no policies"):
        with PolicyPackProcess(tmp_path, start_timeout=30):
            pass


def test_wire_values_are_what_the_engine_sends():
    struct = to_struct({"n": 3, "s": secret("x"), "u": UNKNOWN, "l": [1, True]})
    assert struct["n"] == 3.0 and isinstance(struct["n"], float)
    assert dict(struct["s"])["value"] == "x"
    assert struct["u"] == UNKNOWN
    assert make_urn("dev", "app", "urn:pulumi:dev::app::awsx:ec2:Vpc::vpc", "aws:ec2/vpc:Vpc", "vpc") == \
        "urn:pulumi:dev::app::awsx:ec2:Vpc$aws:ec2/vpc:Vpc::vpc"


def test_the_pack_answers_on_the_wire_layer(pack_process):
    info = pack_process.info()
    assert info.supportsConfig and len(info.policies) >= 55
    assert pack_process.plugin_info().version
    assert pack_process.port and pack_process.stderr == ""
    assert PREVIEW_SKIP.match("can't run policy 'a' from policy pack 'p@v1' during preview: x")


def test_rules_fall_back_to_schema_defaults_when_the_engine_sends_no_config():
    from pack_fixtures import BASE, T, patch

    with PolicyPackProcess(Path(__file__).resolve().parents[2] / "policies") as fresh:  # never configured
        result = fresh.analyze_resource(T["rds"], "db", patch(BASE["rds"], backupRetentionPeriod=3))
        assert result.names() == ["aws-rds-instance-backup-retention"]
        assert "at least 7 days" in result.violations[0].message


def test_configure_stack_is_accepted(pack_process):
    request = stack_configure_request("prod", "webservice", dry_run=True, config={"webservice:cpu": "1024"},
                                      tags={"team": "platform"})
    pack_process.configure_stack(request)
    assert pack_process.analyze_resource("aws:rds/instance:Instance", "db", {"publiclyAccessible": True,
                                                                            "storageEncrypted": True}).mandatory()
