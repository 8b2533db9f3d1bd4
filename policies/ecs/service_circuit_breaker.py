"""ECS services roll back failed deployments automatically."""

from ..core.resources import NotApplicable
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import as_bool
from . import SERVICE


def _validate(res, report):
    controller = res.get("deploymentController", "type")
    if isinstance(controller, str) and controller.upper() != "ECS":
        raise NotApplicable(f"the {controller} deployment controller has its own rollback")
    enable = as_bool(res.get("deploymentCircuitBreaker", "enable"))
    rollback = as_bool(res.get("deploymentCircuitBreaker", "rollback"))
    if not (enable and rollback):
        report("deploymentCircuitBreaker must have enable: true and rollback: true, so a failing deployment "
               "returns to the last good task definition.")


POLICY = resource_rule(
    name="aws-ecs-service-circuit-breaker",
    description="ECS services enable the deployment circuit breaker with rollback.",
    types=(SERVICE,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Set deploymentCircuitBreaker {enable: true, rollback: true} on the service.",
    ids=RuleIds(),
    url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html",
    tags=["ecs", "reliability", "pack-own"],
    unknowns="deploymentCircuitBreaker unknown: skipped with the SDK's advisory preview message.",
)
