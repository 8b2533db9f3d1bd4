"""What every rule shares, one module per concern:

* :mod:`.values`: unknown preview values and coercion of what the engine sends;
* :mod:`.resources`: :class:`~.resources.Resource` and :class:`~.resources.Stack` as a rule sees them;
* :mod:`.rules`: :func:`~.rules.resource_rule` and :func:`~.rules.stack_rule`, severities and :class:`~.rules.RuleIds`;
* :mod:`.containers`: ECS container definitions;
* :mod:`.securitygroups`: security-group rules in all their shapes;
* :mod:`.documents`: IAM and resource policy documents.

A service's own type tokens and helpers live in ``policies/<service>/__init__.py``, not here.
"""
