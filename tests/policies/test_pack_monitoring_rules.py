"""The monitoring rules through the running pack: their exact messages, the prod config that makes them
mandatory, and an alarm whose topic is created in the same preview (an unknown ARN in a known list)."""

from __future__ import annotations

import json
from pathlib import Path

from offline.wire import UNKNOWN
from pack_fixtures import BASE, DELETE, T, patch

ROOT = Path(__file__).resolve().parents[2]
ALARM_RULE = "Every CloudWatch alarm on an ALB, ECS service or RDS instance has at least one alarm action.\n"
PROD = json.loads((ROOT / "policies" / "config" / "prod.json").read_text())


def messages(result, rule):
    return [v.message for v in result.violations if v.policy_name == rule]


def test_alarm_without_actions_says_which_metrics_go_unheard(pack):
    result = pack.analyze_resource(T["alarm"], "res", patch(BASE["alarm"], alarmActions=DELETE))
    assert messages(result, "aws-cloudwatch-metricalarm-actions") == [
        ALARM_RULE + "alarmActions is empty on an alarm of AWS/ApplicationELB; nobody is notified when it fires."]
    result = pack.analyze_resource(T["alarm"], "res", patch(BASE["alarm"], actionsEnabled=False))
    assert messages(result, "aws-cloudwatch-metricalarm-actions") == [
        ALARM_RULE + "actionsEnabled is false on an alarm of AWS/ApplicationELB; nobody is notified when it fires."]


def test_alarm_on_a_custom_metric_is_not_applicable_with_a_reason(pack):
    result = pack.analyze_resource(T["alarm"], "res", patch(BASE["alarm"], namespace="app/custom",
                                                            alarmActions=DELETE))
    reasons = [n.reason for n in result.not_applicable if n.policy_name == "aws-cloudwatch-metricalarm-actions"]
    assert reasons == ["the alarm watches none of AWS/ApplicationELB, AWS/ECS, ECS/ContainerInsights, AWS/RDS"]


def test_alarm_whose_topic_is_created_in_the_same_preview_passes(pack):
    result = pack.analyze_resource(T["alarm"], "res", patch(BASE["alarm"], alarmActions=[UNKNOWN]))
    assert messages(result, "aws-cloudwatch-metricalarm-actions") == []
    assert result.skipped == ()


def test_unencrypted_topic_message(pack):
    result = pack.analyze_resource(T["topic"], "res", patch(BASE["topic"], kmsMasterKeyId=DELETE))
    assert messages(result, "aws-sns-topic-kms") == [
        "SNS topics are encrypted at rest with a KMS key.\nkmsMasterKeyId is not set; the topic's messages are stored unencrypted."]


def test_prod_config_makes_both_rules_mandatory(pack):
    pack.configure(PROD)
    alarm = pack.analyze_resource(T["alarm"], "res", patch(BASE["alarm"], alarmActions=DELETE))
    topic = pack.analyze_resource(T["topic"], "res", patch(BASE["topic"], kmsMasterKeyId=DELETE))
    assert [v.enforcement_level for v in alarm.violations + topic.violations] == ["mandatory", "mandatory"]
