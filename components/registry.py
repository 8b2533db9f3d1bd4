"""Registry: ECR repository (scan on push, immutable tags, KMS, lifecycle) and the app image.

Two ways to get the image:
- an ``image_digest`` (CI's build-once image, already pushed to this repository): nothing is built, and the
  task runs ``<repositoryUrl>@sha256:...``;
- no digest (a developer's own ``pulumi up``): pulumi-docker builds and pushes ``app/`` for the configured
  platform, tagged with a content hash of the build context, so the tag is known at preview and changes
  exactly when the image would."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from . import checks


def _dockerignore_patterns(context: Path) -> list[tuple[bool, re.Pattern[str], str]]:
    """Parse ``.dockerignore`` into (is_exception, regex, cleaned pattern) triples, in file order."""
    ignore_file = context / ".dockerignore"
    if not ignore_file.is_file():
        return []
    patterns = []
    for raw in ignore_file.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:].strip()
        line = os.path.normpath(line.lstrip("/")).replace(os.sep, "/")
        if line in (".", ""):
            continue
        patterns.append((negate, re.compile(_glob_to_regex(line)), line))
    return patterns


def _glob_to_regex(pattern: str) -> str:
    """Docker's pattern language: Go filepath.Match plus ``**`` for any number of directories. A pattern
    that matches a directory also matches everything below it."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1:end]
                if body.startswith("^") or body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return "^" + "".join(out) + "(?:/.*)?$"


def _is_ignored(rel_path: str, patterns: Sequence[tuple[bool, re.Pattern[str], str]]) -> bool:
    ignored = False
    for negate, regex, _ in patterns:
        if regex.match(rel_path):
            ignored = not negate
    return ignored


def _may_hold_exceptions(rel_dir: str, exceptions: Sequence[str]) -> bool:
    """Whether an ``!exception`` pattern could match something below ``rel_dir``: its literal prefix (up to
    the first wildcard) leads into the directory, or the directory path is a prefix of it."""
    for pattern in exceptions:
        literal = re.split(r"[*?\[\\]", pattern, maxsplit=1)[0]
        if literal.startswith(rel_dir + "/") or (rel_dir + "/").startswith(literal):
            return True
    return False


def _build_context_files(context: Path) -> list[str]:
    """Files Docker would send as build context (relative POSIX paths, sorted). The Dockerfile and the
    .dockerignore are always sent, as Docker does. An ignored directory that no exception pattern can reach
    into is not walked at all (so a host ``node_modules`` costs nothing)."""
    patterns = _dockerignore_patterns(context)
    exceptions = [source for negate, _, source in patterns if negate]
    files = []
    for root, dirs, names in os.walk(context):
        rel_root = Path(root).relative_to(context).as_posix()
        prefix = "" if rel_root == "." else rel_root + "/"
        dirs[:] = sorted(d for d in dirs if not (
            _is_ignored(prefix + d, patterns) and not _may_hold_exceptions(prefix + d, exceptions)))
        for fname in names:
            rel = prefix + fname
            if rel in ("Dockerfile", ".dockerignore") or not _is_ignored(rel, patterns):
                files.append(rel)
    return sorted(files)


def _content_hash_tag(context: Path, platform: str) -> str:
    """A tag derived from every file in the build context (path, executable bit, bytes) and the platform.

    Same inputs, same tag; any change to a file that reaches the image, a new file or another platform
    gives a new tag. Files excluded by ``.dockerignore`` do not count. A missing context hashes as empty.
    """
    if checks.docker_platform(platform):
        raise ValueError(f"platform={platform!r}: {checks.docker_platform(platform)}")
    digest = hashlib.sha256()
    digest.update(f"platform={platform}\n".encode())
    if context.is_dir():
        for rel in _build_context_files(context):
            path = context / rel
            executable = bool(path.stat().st_mode & 0o111)
            digest.update(f"{rel}\0{int(executable)}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return "sha-" + digest.hexdigest()[:20]


def _lifecycle_policy(keep_last: int, untagged_days: int) -> str:
    return json.dumps({"rules": [
        {
            "rulePriority": 1,
            "description": f"Expire untagged images after {untagged_days} days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                          "countUnit": "days", "countNumber": untagged_days},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"Keep the last {keep_last} images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_last},
            "action": {"type": "expire"},
        },
    ]}, sort_keys=True)


@dataclass(frozen=True)
class RegistryArgs:
    """What the repository and the image build need. Checks: ``checks.docker_platform``, ``image_tag``,
    ``image_digest``, and at least 1 for the two lifecycle numbers."""

    #: The Docker build context, a directory relative to the project (``app``).
    context: str
    #: The Dockerfile, relative to the project (``app/Dockerfile``).
    dockerfile: str
    #: The image platform: "linux/arm64" or "linux/amd64" (facts.DOCKER_PLATFORMS, from the task architecture).
    platform: str
    #: ARN of the KMS key that encrypts the repository.
    kms_key_arn: pulumi.Input[str]
    #: The image tag: a Docker tag other than "latest", or "" (the default) for a content hash of ``context``.
    image_tag: str = ""
    #: Deploy this pushed image by digest (sha256:<64 hex>) instead of building one. Default "": build.
    image_digest: str = ""
    #: The lifecycle policy keeps this many most recent images (at least 1). Default 30.
    keep_last_images: int = 30
    #: The lifecycle policy expires untagged images after this many days (at least 1). Default 7.
    untagged_expiry_days: int = 7
    #: Tags for every taggable child resource (key -> value). Default: none.
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        checks.validate(self, platform=checks.docker_platform, image_tag=checks.image_tag,
                        image_digest=checks.image_digest, keep_last_images=lambda n: checks.at_least(n, 1),
                        untagged_expiry_days=lambda days: checks.at_least(days, 1))


class Registry(pulumi.ComponentResource):
    repository_url: pulumi.Output[str]
    repository_arn: pulumi.Output[str]
    image_tag: str
    #: What the app reports as its version (APP_VERSION): the digest when one is deployed, else the tag. A
    #: plain string, known at preview.
    image_version: str
    #: The image reference in the task definition: ``<repositoryUrl>@<digest>`` or ``<repositoryUrl>:<tag>``.
    image_ref: pulumi.Output[str]
    #: What the task definition waits for: the built and pushed image, or, with a digest, the repository
    #: that already holds it.
    image: pulumi.Resource

    def __init__(self, name: str, args: RegistryArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("webservice:registry:Registry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        repo = aws.ecr.Repository(
            f"{name}-repo",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.kms_key_arn}],
            tags=tags,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repo.name,
            policy=_lifecycle_policy(args.keep_last_images, args.untagged_expiry_days),
            opts=child,
        )

        if args.image_digest:
            self.image_tag = ""
            self.image_version = args.image_digest
            self.image_ref = pulumi.Output.concat(repo.repository_url, "@", args.image_digest)
            self.image = repo
        else:
            self.image_tag = args.image_tag or _content_hash_tag(Path(args.context), args.platform)
            self.image_version = self.image_tag
            self.image_ref = pulumi.Output.concat(repo.repository_url, ":", self.image_tag)
            self.image = self._build(name, args, repo)
        self.repository_url = repo.repository_url
        self.repository_arn = repo.arn
        self.register_outputs({
            "repositoryUrl": self.repository_url,
            "repositoryArn": self.repository_arn,
            "imageRef": self.image_ref,
            "imageVersion": self.image_version,
        })

    def _build(self, name: str, args: RegistryArgs, repo: aws.ecr.Repository) -> docker.Image:
        """Build ``args.context`` for the platform and push it as ``image_ref`` with ECR credentials."""
        auth = aws.ecr.get_authorization_token_output(
            registry_id=repo.registry_id, opts=pulumi.InvokeOutputOptions(parent=self))
        return docker.Image(
            f"{name}-image",
            image_name=self.image_ref,
            build=docker.DockerBuildArgs(
                context=args.context,
                dockerfile=args.dockerfile,
                platform=args.platform,
            ),
            registry=docker.RegistryArgs(
                server=repo.repository_url,
                username=auth.user_name,
                password=pulumi.Output.secret(auth.password),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
