"""Rules for ecs, and the ECS type tokens the rules share."""

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"

#: ``allowedNames`` of the plaintext-secret rules: each name the stack says is not a secret, with the reason.
ALLOWED_NAMES_SCHEMA = {
    "type": "array", "default": [],
    "description": "Variable names that look secret but are not, each with the reason (name-only matches).",
    "items": {"type": "object", "required": ["name", "reason"], "additionalProperties": False,
              "properties": {"name": {"type": "string", "minLength": 1},
                             "reason": {"type": "string", "minLength": 10}}},
}


def allowed_names(res):
    """Upper-cased names from ``allowedNames`` entries that carry a reason (entries without one count for
    nothing, whatever the engine let through)."""
    names = set()
    for item in res.config("allowedNames") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("reason"), str) \
                and len(item["reason"].strip()) >= 10:
            names.add(item["name"].upper())
    return names
