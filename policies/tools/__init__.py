"""Maintenance tools for the policy pack (README generator)."""
