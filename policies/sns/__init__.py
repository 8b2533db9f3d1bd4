"""Rules for sns."""

TOPIC = "aws:sns/topic:Topic"
