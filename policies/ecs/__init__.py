"""Rules for ecs."""
