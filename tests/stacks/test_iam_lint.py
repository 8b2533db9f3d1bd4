"""Every IAM policy document the program produces, linted by parliament (duo-labs), an IAM analyser that knows
each action's resource types and condition keys. The result is 0 findings, or a written exemption below.

The documents are taken from the stacks as registered (identity policies, trust policies, the key policy and
the bucket policy), so a document added later is linted without anyone listing it here. The strict mocks give
resources ARNs of their real shapes (``log-group:<name>``, ``key/<id>``, ``repository/<name>``), which is what
the resource-type checks compare against.
"""

from __future__ import annotations

import json

import pytest
from parliament import analyze_policy_string

STACKS = ("dev", "staging", "prod")

#: Resource type -> the input that holds a policy document, and what kind of document it is.
DOCUMENTS = {
    "aws:iam/policy:Policy": ("policy", "identity"),
    "aws:iam/rolePolicy:RolePolicy": ("policy", "identity"),
    "aws:iam/role:Role": ("assumeRolePolicy", "trust"),
    "aws:kms/key:Key": ("policy", "key"),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", "bucket"),
}

#: (document kind, parliament issue, action or "*") -> why the finding does not apply. An identity-policy
#: exemption names the one action it covers; "*" is for findings about a resource policy as a whole.
#: parliament reads every document as an identity policy; the resource policies (trust, key) break some of its
#: assumptions.
EXEMPTIONS = {
    ("identity", "CREDENTIALS_EXPOSURE", "ecr:GetAuthorizationToken"):
        "ecr:GetAuthorizationToken is how the ECS execution role pulls the image; it has no resource scope, and "
        "the token only reaches the ECS agent, never the app (the task role does not have it).",
    ("identity", "CREDENTIALS_EXPOSURE", "rds-db:connect"):
        "rds-db:connect is how the app signs in to MySQL (RDS IAM authentication): it mints a 15-minute token for "
        "one database user, and the statement names exactly that user's dbuser ARN.",
    ("identity", "PERMISSIONS_MANAGEMENT_ACTIONS", "rds-db:connect"):
        "parliament classes rds-db:connect as permissions management; it grants only a login as the app user "
        "named in the resource, whose own grants (SELECT on the app schema) the migrate container sets.",
    ("trust", "MALFORMED", "*"):
        "A role's trust policy is a resource policy on the role: IAM rejects a Resource element there. The "
        "statement names one service principal and pins aws:SourceAccount and aws:SourceArn instead.",
    ("key", "RESOURCE_STAR", "*"):
        "In a KMS key policy, Resource \"*\" means this key and nothing else (KMS requires that form).",
    ("key", "PERMISSIONS_MANAGEMENT_ACTIONS", "*"):
        "AWS's default key policy: the account root principal administers the key through IAM, so the key "
        "can never become unmanageable. It grants nothing by itself; IAM policies decide who may act.",
    ("key", "UNKNOWN_CONDITION_FOR_ACTION", "*"):
        "The CloudWatch Logs statement follows the CloudWatch Logs user guide (kms:EncryptionContext:aws:logs:arn "
        "for all its actions); parliament does not list that context key for kms:DescribeKey.",
    ("key", "MISMATCHED_TYPE", "*"):
        "ArnLike on kms:EncryptionContext:aws:logs:arn is the form the CloudWatch Logs user guide gives; "
        "parliament types every encryption-context key as a String.",
}


#: parliament reports actions in lower case; IAM action names are case-insensitive.
_EXEMPTED = {(kind, issue, action.lower()) for kind, issue, action in EXEMPTIONS}


def _keys(kind: str, finding) -> list[tuple[str, str, str]]:
    """The exemption keys a finding needs: one per action it names in an identity policy, else one "*"."""
    actions = (finding.location or {}).get("actions") if kind == "identity" else None
    return ([(kind, finding.issue, action.lower()) for action in actions] if actions
            else [(kind, finding.issue, "*")])


def _documents(run):
    for registration in run.registrations:
        field, kind = DOCUMENTS.get(registration.type, (None, None))
        if field and registration.inputs.get(field):
            yield registration.name, kind, registration.inputs[field]


def _actions(statement: dict) -> list[str]:
    value = statement.get("Action", [])
    return [value] if isinstance(value, str) else list(value)


def lint(document: str) -> list:
    return analyze_policy_string(document, include_community_auditors=True).findings


@pytest.mark.parametrize("stack", STACKS)
def test_every_policy_document_has_no_unexempted_finding(stack_run, stack):
    """An identity policy gets no exemption except for the ECR token: a resource mismatch, an unknown action,
    a wildcard action or a new sensitive action fails here until someone writes down why it is fine."""
    unexempted = [(name, *key, finding.detail) for name, kind, document in _documents(stack_run(stack))
                  for finding in lint(document) for key in _keys(kind, finding) if key not in _EXEMPTED]
    assert unexempted == []


def test_every_exemption_is_still_needed(stack_run):
    used = {key for stack in STACKS for _, kind, document in _documents(stack_run(stack))
            for finding in lint(document) for key in _keys(kind, finding)}
    assert _EXEMPTED - used == set()


def test_the_linter_sees_the_task_execution_exec_and_flow_log_documents(stack_run):
    names = {name for stack in STACKS for name, kind, _ in _documents(stack_run(stack)) if kind == "identity"}
    assert {"webservice-dev-execution-policy", "webservice-dev-exec-policy",
            "webservice-dev-flow-logs-policy"} <= names
    kinds = {kind for stack in STACKS for _, kind, _ in _documents(stack_run(stack))}
    assert kinds == {"identity", "trust", "key", "bucket"}


def test_an_exemption_covers_only_the_action_it_names():
    document = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Token", "Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"}]})
    keys = [key for finding in lint(document) for key in _keys("identity", finding)]
    assert ("identity", "CREDENTIALS_EXPOSURE", "sts:getsessiontoken") in keys
    assert not set(keys) <= _EXEMPTED


def test_the_linter_catches_describe_log_groups_scoped_to_one_log_group():
    """The exec policy used to grant logs:DescribeLogGroups on the exec log group: AWS only authorises that
    action on "*", so the SSM agent's check failed and every ECS Exec session was refused."""
    old = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DescribeExecLogGroup", "Effect": "Allow", "Action": "logs:DescribeLogGroups",
        "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:webservice-dev-exec-logs-a1b2c3"}]})
    (finding,) = lint(old)
    assert finding.issue == "RESOURCE_MISMATCH"
    assert finding.detail == [{"action": "logs:DescribeLogGroups", "required_format": "*"}]


def test_the_exec_policy_grants_describe_log_groups_on_star_only(stack_run):
    (document,) = [doc for name, _, doc in _documents(stack_run("dev")) if name == "webservice-dev-exec-policy"]
    statements = json.loads(document)["Statement"]
    unscoped = sorted(a for s in statements if s["Resource"] == "*" for a in _actions(s))
    assert unscoped == ["logs:DescribeLogGroups", "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel"]
    assert lint(document) == []
