"""Rules for lb."""
