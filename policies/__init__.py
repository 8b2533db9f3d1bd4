"""The AWS ECS Fargate hardening policy pack (CrossGuard). See README.md; the rules are listed in pack.py."""
