"""Rules for ecr, and the ECR type tokens the rules share."""

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
#: Resource policies on repositories and the registry, with the property that holds the document.
POLICY_PROPS = {
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws-native:ecr:Repository": "repositoryPolicyText",
    "aws-native:ecr:RegistryPolicy": "policyText",
}
