"""CloudWatch alarms on the ALB, the ECS service or the RDS instance notify someone."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool, as_list
from . import METRIC_ALARM, WATCHED_NAMESPACES


def _namespaces(res):
    """The alarm's metric namespaces: its own, or those of its metric-math queries."""
    found = [res.get("namespace")]
    for index, query in enumerate(as_list(res.get("metricQueries"))):
        found.append(res.get("metricQueries", index, "metric", "namespace") if isinstance(query, dict) else None)
    return {n for n in found if isinstance(n, str)}


def _validate(res, report):
    watched = sorted(_namespaces(res) & set(WATCHED_NAMESPACES))
    if not watched:
        raise NotApplicable(f"the alarm watches none of {', '.join(WATCHED_NAMESPACES)}")
    if as_bool(res.get("actionsEnabled")) is False:
        report(f"actionsEnabled is false on an alarm of {', '.join(watched)}; nobody is notified when it fires.")
    elif not as_list(res.get("alarmActions")):
        report(f"alarmActions is empty on an alarm of {', '.join(watched)}; nobody is notified when it fires.")


POLICY = resource_rule(
    name="aws-cloudwatch-metricalarm-actions",
    description="Every CloudWatch alarm on an ALB, ECS service or RDS instance has at least one alarm action.",
    types=(METRIC_ALARM,),
    validate=_validate,
    severity=MEDIUM,
    remediation=("Set alarmActions to an SNS topic that reaches a person (e-mail, chat or paging), and leave "
                 "actionsEnabled true."),
    ids=RuleIds(fsbp=("CloudWatch.15",)),
    url="https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-15",
    tags=["cloudwatch", "monitoring"],
    unknowns=("alarmActions whose topic is created in the same preview are unknown strings in a known list, so "
              "they count; an unknown namespace or action list is skipped with the SDK's advisory message."),
)
