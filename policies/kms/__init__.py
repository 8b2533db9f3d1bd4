"""Rules for kms, and the KMS type token the rules share."""

KEY = "aws:kms/key:Key"
