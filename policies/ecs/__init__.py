"""Rules for ecs, and the ECS type tokens the rules share."""

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
