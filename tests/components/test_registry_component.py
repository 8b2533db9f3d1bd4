"""Registry component: hardened ECR repository, lifecycle policy, platform-specific image build."""

from __future__ import annotations

import pytest

from components.registry import Registry, RegistryArgs, _content_hash_tag
from offline.wire import secret
from tests.mocks import ECR_PASSWORD

KEY = "arn:aws:kms:us-east-1:123456789012:key/k"


@pytest.fixture
def context(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM node:24-slim\n")
    return tmp_path


def build(run, context, **changes):
    args = dict(context=str(context), dockerfile=str(context / "Dockerfile"), platform="linux/arm64",
                kms_key_arn=KEY, tags={"project": "webservice"})
    args.update(changes)
    return run(lambda: Registry("reg", RegistryArgs(**args)))


def test_repository_scans_on_push_is_immutable_and_kms_encrypted(run, context):
    repo = build(run, context).get("aws:ecr/repository:Repository", "reg-repo").inputs
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": KEY}]


def test_repository_has_a_lifecycle_policy(run, context):
    result = build(run, context)
    policy = result.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", "reg-lifecycle").inputs
    assert policy["repository"] == result.get("aws:ecr/repository:Repository", "reg-repo").state["name"]


def test_image_is_built_for_the_configured_platform(run, context):
    image = build(run, context, platform="linux/amd64").get("docker:index/image:Image", "reg-image").inputs
    assert image["build"]["platform"] == "linux/amd64"
    assert image["build"]["context"] == str(context)


def test_image_is_tagged_with_the_content_hash(run, context):
    result = build(run, context)
    repo_url = result.get("aws:ecr/repository:Repository", "reg-repo").state["repositoryUrl"]
    image = result.get("docker:index/image:Image", "reg-image").inputs
    assert image["imageName"] == f"{repo_url}:{_content_hash_tag(context, 'linux/arm64')}"


def test_configured_tag_overrides_the_content_hash(run, context):
    image = build(run, context, image_tag="git-0a1b2c3").get("docker:index/image:Image", "reg-image").inputs
    assert image["imageName"].endswith(":git-0a1b2c3")


def test_image_pushes_with_ecr_credentials_kept_secret(run, context):
    result = build(run, context)
    image = result.get("docker:index/image:Image", "reg-image")
    assert image.inputs["registry"]["username"] == "AWS"
    assert image.inputs["registry"]["password"] == ECR_PASSWORD
    assert image.wire["registry"]["password"] == secret(ECR_PASSWORD)  # a secret
    assert [c.token for c in result.calls] == ["aws:ecr/getAuthorizationToken:getAuthorizationToken"]


def test_latest_tag_is_rejected(context):
    with pytest.raises(ValueError, match="image_tag='latest'"):
        RegistryArgs(context=str(context), dockerfile="Dockerfile", platform="linux/arm64", kms_key_arn=KEY,
                     image_tag="latest")


def test_unknown_platform_is_rejected(context):
    with pytest.raises(ValueError, match="platform='linux/386': allowed values are linux/arm64, linux/amd64"):
        RegistryArgs(context=str(context), dockerfile="Dockerfile", platform="linux/386", kms_key_arn=KEY)


DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_digest_deploys_the_pushed_image_without_building(run, context):
    result = build(run, context, image_digest=DIGEST)
    assert result.all("docker:index/image:Image") == []
    assert "aws:ecr/getAuthorizationToken:getAuthorizationToken" not in {c.token for c in result.calls}


def test_image_version_is_the_digest_or_the_tag(context):
    holder = {}

    def program(**changes):
        def body():
            holder["registry"] = Registry("reg", RegistryArgs(
                context=str(context), dockerfile=str(context / "Dockerfile"), platform="linux/arm64",
                kms_key_arn=KEY, **changes))
        return body

    from tests.mocks import run_program
    run_program(program(image_digest=DIGEST))
    assert holder["registry"].image_version == DIGEST
    run_program(program(image_tag="abc123"))
    assert holder["registry"].image_version == "abc123"


@pytest.mark.parametrize("digest", ["sha256:" + "0" * 63, "sha256:" + "F" * 64, "latest"])
def test_malformed_digest_is_rejected(context, digest):
    with pytest.raises(ValueError, match=f"image_digest='{digest}': must be empty"):
        RegistryArgs(context=str(context), dockerfile="Dockerfile", platform="linux/arm64", kms_key_arn=KEY,
                     image_digest=digest)
