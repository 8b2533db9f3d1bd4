"""The execution role (pull, logs, secrets) is not the role the application runs with."""

from ..core.rules import MEDIUM, RuleIds, resource_rule
from . import TASK_DEFINITION


def _validate(res, report):
    execution, task = res.get("executionRoleArn"), res.get("taskRoleArn")
    if isinstance(execution, str) and execution and execution == task:
        report("executionRoleArn and taskRoleArn are the same role, so the application can read every secret "
               "and pull every image the agent can. Give the task its own role.")


POLICY = resource_rule(
    name="aws-ecs-taskdefinition-separate-execution-role",
    description="ECS task definitions use an execution role that differs from the task role.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Create two roles: an execution role (ECR pull, log writes, the task's secrets) and a task role "
                "with only what the application calls.",
    ids=RuleIds(checkov=("CKV_AWS_249",)),
    url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",
    tags=["ecs", "iam", "least-privilege"],
    unknowns="Either ARN unknown (roles created in the same preview): skipped with the SDK's advisory preview "
             "message; judged at update.",
)
