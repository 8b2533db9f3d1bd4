"""Every container image is pinned by a tag other than latest, or by digest."""

from ..core.containers import container_label, containers_or_skip
from ..core.rules import MEDIUM, RuleIds, resource_rule
from ..core.values import is_unknown, raise_unknown
from . import TASK_DEFINITION


def image_tag(image):
    """(tag, digest) of an image reference; tag is None when untagged."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1].strip() if ":" in last else None
    return tag or None, digest.strip() or None


def _validate(res, report):
    for i, c in enumerate(containers_or_skip(res)):
        image = c.get("image")
        if is_unknown(image):
            raise_unknown(["containerDefinitions", i, "image"])
        if not isinstance(image, str) or not image.strip():
            report(f"{container_label(c, i)} has no image.")
            continue
        tag, digest = image_tag(image.strip())
        if digest:
            continue
        if tag is None:
            report(f"{container_label(c, i)} image {image!r} has no tag, which means latest. Pin a version tag "
                   "or digest.")
        elif tag.lower() == "latest":
            report(f"{container_label(c, i)} image {image!r} uses the mutable tag latest. Pin a version tag or "
                   "digest.")


POLICY = resource_rule(
    name="aws-ecs-taskdefinition-pinned-image",
    description="ECS container images are pinned by a version tag or digest, never latest or untagged.",
    types=(TASK_DEFINITION,),
    validate=_validate,
    severity=MEDIUM,
    remediation="Reference images as <repositoryUrl>:<tag> with a tag from CI or a content hash, or as "
                "<repositoryUrl>@sha256:<digest>.",
    ids=RuleIds(checkov=("CKV_DOCKER_7",)),
    url="https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    tags=["ecs", "supply-chain"],
    unknowns="containerDefinitions or an image unknown: skipped with the SDK's advisory preview message.",
)
