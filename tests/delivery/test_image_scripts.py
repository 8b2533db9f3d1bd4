"""The build-once / promote-by-digest scripts (.github/scripts/{image-tag.py, build-image.sh, promote-image.sh,
ensure-repository.sh}) against fake `aws`, `docker`, `skopeo` and `pulumi` commands that keep a small registry
and stack state in a JSON file, so each test can say what exists and check what the scripts did."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from delivery_checks import fake_commands, load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github/scripts"
DEV = "111122223333.dkr.ecr.us-east-1.amazonaws.com/webservice-dev-repo-1a2b3c"
STAGING = "444455556666.dkr.ecr.us-east-1.amazonaws.com/webservice-staging-repo-4d5e6f"
D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64

FAKE = r'''#!/usr/bin/env python3
import json, os, sys
tool, args = os.path.basename(sys.argv[0]), sys.argv[1:]
state_file = os.environ["FAKE_STATE"]
state = json.load(open(state_file))
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(tool + " " + " ".join(args) + "\n")
def opt(name):
    return args[args.index(name) + 1] if name in args else None
def save():
    json.dump(state, open(state_file, "w"))
repos = state.setdefault("repos", {})
if tool == "aws" and args[:2] == ["ecr", "get-login-password"]:
    print("password")
elif tool == "aws" and args[:2] == ["ecr", "describe-images"]:
    repo = repos.get(opt("--repository-name"))
    if repo is None or state.get("deny"):
        sys.exit("An error occurred (AccessDeniedException) when calling the DescribeImages operation")
    kind, value = opt("--image-ids").split("=", 1)
    digest = repo["tags"].get(value) if kind == "imageTag" else (value if value in repo["digests"] else None)
    if not digest:
        sys.exit("An error occurred (ImageNotFoundException) when calling the DescribeImages operation")
    print(digest)
elif tool == "docker" and args[:1] == ["login"]:
    sys.stdin.read()
elif tool == "docker" and args[:2] == ["buildx", "build"]:
    ref = opt("--tag")
    name, tag = ref.split("/", 1)[1].rsplit(":", 1)
    json.dump({"containerimage.digest": state["build_digest"]}, open(opt("--metadata-file"), "w"))
    repos[name]["tags"][tag] = state["build_digest"]
    repos[name]["digests"].append(state["build_digest"])
    save()
elif tool == "skopeo" and args[:1] == ["login"]:
    sys.stdin.read()
elif tool == "skopeo" and args[:1] == ["copy"]:
    src, dst = (a.removeprefix("docker://") for a in args[-2:])
    digest = src.split("@", 1)[1]
    name, tag = dst.split("/", 1)[1].rsplit(":", 1)
    if not state.get("lose_copy"):
        repos[name]["tags"][tag] = digest
        repos[name]["digests"].append(digest)
    save()
elif tool == "pulumi" and args[:2] == ["stack", "export"]:
    print(json.dumps({"version": 3, "deployment": {"resources": state.get("resources", [])}}))
elif tool == "pulumi" and args[:1] == ["up"]:
    targets = [args[i + 1] for i, a in enumerate(args) if a == "--target"]
    repo_urn = [t for t in targets if t.endswith("-repo")][0]
    state.setdefault("resources", []).append({"urn": repo_urn, "outputs": {"repositoryUrl": state["bootstrap_url"]}})
    save()
else:
    sys.exit(f"fake {tool}: unexpected {args}")
'''


@pytest.fixture
def fake(tmp_path):
    path_env = fake_commands(tmp_path, FAKE, "aws", "docker", "skopeo", "pulumi")
    state_file, log = tmp_path / "state.json", tmp_path / "calls.log"

    class Fake:
        state: dict = {"repos": {"webservice-dev-repo-1a2b3c": {"tags": {}, "digests": []},
                                 "webservice-staging-repo-4d5e6f": {"tags": {}, "digests": []}}}

        def run(self, script, *args):
            state_file.write_text(json.dumps(self.state))
            log.write_text("")
            env = {**path_env, "FAKE_STATE": str(state_file), "FAKE_LOG": str(log)}
            result = subprocess.run(["bash", str(SCRIPTS / script), *args], cwd=ROOT, env=env, capture_output=True,
                                    text=True, timeout=60)
            self.state = json.loads(state_file.read_text())
            self.calls = log.read_text().splitlines()
            return result

        def outputs(self, result):
            return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)

    return Fake()


# --- build once ---------------------------------------------------------------------------------------------


def test_build_pushes_for_the_platform_and_reports_the_pushed_digest(fake):
    fake.state["build_digest"] = D1
    result = fake.run("build-image.sh", DEV, "sha-0123456789abcdef0123", "linux/arm64")
    assert result.returncode == 0, result.stderr
    assert fake.outputs(result) == {"digest": D1, "built": "true"}
    (build,) = [c for c in fake.calls if c.startswith("docker buildx build")]
    assert "--platform linux/arm64 --provenance=false --sbom=false" in build
    assert f"--tag {DEV}:sha-0123456789abcdef0123 --push" in build and build.endswith(" app")


def test_an_unchanged_app_reuses_the_digest_under_its_tag_and_builds_nothing(fake):
    fake.state["repos"]["webservice-dev-repo-1a2b3c"] = {"tags": {"sha-0123456789abcdef0123": D2}, "digests": [D2]}
    result = fake.run("build-image.sh", DEV, "sha-0123456789abcdef0123", "linux/arm64")
    assert result.returncode == 0, result.stderr
    assert fake.outputs(result) == {"digest": D2, "built": "false"}
    assert not [c for c in fake.calls if c.startswith("docker")]


def test_a_registry_error_is_not_mistaken_for_a_missing_image(fake):
    fake.state["deny"] = True
    result = fake.run("build-image.sh", DEV, "sha-0123456789abcdef0123", "linux/arm64")
    assert result.returncode != 0
    assert "AccessDeniedException" in result.stderr
    assert not [c for c in fake.calls if c.startswith("docker")]


@pytest.mark.parametrize("args, message", [
    (["example.com/app", "sha-1", "linux/arm64"], "not an ECR repository URL"),
    ([DEV, "latest", "linux/arm64"], "bad tag 'latest'"),
])
def test_build_refuses_bad_arguments(fake, args, message):
    result = fake.run("build-image.sh", *args)
    assert result.returncode != 0 and message in result.stderr


# --- promote by digest --------------------------------------------------------------------------------------


def test_promotion_copies_the_exact_digest_into_the_stage_repository(fake):
    fake.state["repos"]["webservice-dev-repo-1a2b3c"] = {"tags": {"sha-x": D1}, "digests": [D1]}
    result = fake.run("promote-image.sh", DEV, STAGING, D1)
    assert result.returncode == 0, result.stderr
    (copy,) = [c for c in fake.calls if c.startswith("skopeo copy")]
    assert copy == f"skopeo copy --preserve-digests --retry-times 3 docker://{DEV}@{D1} " \
                   f"docker://{STAGING}:digest-{'1' * 20}"
    assert D1 in fake.state["repos"]["webservice-staging-repo-4d5e6f"]["digests"]
    # Both registries (two accounts here) are logged in to.
    assert [c for c in fake.calls if c.startswith("skopeo login")] == [
        f"skopeo login --username AWS --password-stdin {DEV.split('/')[0]}",
        f"skopeo login --username AWS --password-stdin {STAGING.split('/')[0]}"]


def test_promotion_copies_nothing_when_the_stage_already_holds_the_digest(fake):
    fake.state["repos"]["webservice-staging-repo-4d5e6f"] = {"tags": {}, "digests": [D1]}
    result = fake.run("promote-image.sh", DEV, STAGING, D1)
    assert result.returncode == 0, result.stderr
    assert "already holds" in result.stdout
    assert not [c for c in fake.calls if c.startswith("skopeo")]


def test_promotion_fails_when_the_copy_does_not_arrive_under_that_digest(fake):
    fake.state["repos"]["webservice-dev-repo-1a2b3c"] = {"tags": {}, "digests": [D1]}
    fake.state["lose_copy"] = True
    result = fake.run("promote-image.sh", DEV, STAGING, D1)
    assert result.returncode == 1
    assert f"does not list {D1} after the copy" in result.stderr


def test_promotion_takes_only_a_digest(fake):
    result = fake.run("promote-image.sh", DEV, STAGING, "sha-0123")
    assert result.returncode == 2 and "is not a sha256 digest" in result.stderr
    assert fake.calls == []


# --- the stage's repository ---------------------------------------------------------------------------------

REPO_URN = ("urn:pulumi:staging::webservice::webservice:registry:Registry$aws:ecr/repository:Repository::"
            "webservice-staging-repo")


def test_an_existing_repository_is_read_from_the_stack_state(fake):
    fake.state["resources"] = [{"urn": REPO_URN, "outputs": {"repositoryUrl": STAGING}}]
    result = fake.run("ensure-repository.sh", "acme/staging")
    assert result.returncode == 0, result.stderr
    assert fake.outputs(result) == {"repository": STAGING, "bootstrapped": "false"}
    assert not [c for c in fake.calls if c.startswith("pulumi up")]


def test_a_first_deploy_creates_only_the_repository_and_its_key_first(fake):
    fake.state["bootstrap_url"] = STAGING
    result = fake.run("ensure-repository.sh", "acme/staging")
    assert result.returncode == 0, result.stderr
    assert fake.outputs(result) == {"repository": STAGING, "bootstrapped": "true"}
    (up,) = [c for c in fake.calls if c.startswith("pulumi up")]
    assert "--stack acme/staging --policy-pack policies --policy-pack-config policies/config/staging.json" in up
    targets = up.split("--target ")[1:]
    assert [t.strip() for t in targets] == [
        "urn:pulumi:staging::webservice::webservice:keys:Encryption::webservice-staging",
        "urn:pulumi:staging::webservice::webservice:keys:Encryption$aws:kms/key:Key::webservice-staging-key",
        "urn:pulumi:staging::webservice::webservice:registry:Registry::webservice-staging",
        REPO_URN]


def test_the_bootstrap_urns_are_the_names_the_program_gives(run_stack_resources):
    # The targets must match what the program registers, or the targeted update creates nothing.
    urns = run_stack_resources
    for suffix in ("webservice:keys:Encryption::webservice-dev",
                   "webservice:keys:Encryption$aws:kms/key:Key::webservice-dev-key",
                   "webservice:registry:Registry::webservice-dev",
                   "webservice:registry:Registry$aws:ecr/repository:Repository::webservice-dev-repo"):
        assert f"urn:pulumi:dev::webservice::{suffix}" in urns


@pytest.fixture(scope="module")
def run_stack_resources(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "tests" / "offline"))
    from offline_support import run_engine

    run = run_engine(ROOT, "dev", "preview", tmp_path_factory.mktemp("engine"))
    return {r["urn"] for r in run["resources"]}


# --- the tag ------------------------------------------------------------------------------------------------


def _image_tag_module():
    return load_script(SCRIPTS / "image-tag.py")


def test_the_tag_is_the_programs_own_content_hash_for_the_stacks_platform():
    sys.path.insert(0, str(ROOT))
    from components.registry import _content_hash_tag

    result = subprocess.run([sys.executable, str(SCRIPTS / "image-tag.py"), "dev", "staging", "prod"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert out == {"platform": "linux/arm64", "tag": _content_hash_tag(ROOT / "app", "linux/arm64")}


def test_stacks_with_different_architectures_cannot_share_one_image(monkeypatch, capsys):
    module = _image_tag_module()

    class Config:
        project = "webservice"

        def __init__(self, arch):
            self.arch = arch

        def get(self, key):
            assert key == "webservice:architecture"
            return self.arch

    monkeypatch.setattr(module, "load_stack_config",
                        lambda root, stack: Config("X86_64" if stack == "prod" else "ARM64"))
    assert module.main(["dev", "staging", "prod"]) == 1
    assert "got dev=ARM64, staging=ARM64, prod=X86_64" in capsys.readouterr().err
    assert module.platform_of("X86_64") == "linux/amd64"
