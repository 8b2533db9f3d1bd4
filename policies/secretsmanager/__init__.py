"""Rules for secretsmanager, and the Secrets Manager type tokens the rules share."""

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
