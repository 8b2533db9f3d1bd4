"""What the engine preloads before forking one child per stack (offline.engine.aws_modules_used)."""

from pathlib import Path

from offline.engine import aws_modules_used


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_reads_the_program_sources_only(tmp_path: Path) -> None:
    _write(tmp_path / "__main__.py", "import pulumi_aws as aws\naws.ec2.Vpc('v')\n")
    _write(tmp_path / "components" / "db.py", "aws.rds.Instance('db')\npulumi_aws.kms.Key('k')\n")
    # Not the program: a virtualenv under any name, hidden directories, node_modules, tests, the pack.
    _write(tmp_path / "env312" / "pyvenv.cfg", "home = /usr/bin\n")
    _write(tmp_path / "env312" / "lib" / "site.py", "aws.sagemaker.Model\n")
    _write(tmp_path / ".venv" / "x.py", "aws.iot.Thing\n")
    _write(tmp_path / "app" / "node_modules" / "x.py", "aws.glue.Job\n")
    _write(tmp_path / "tests" / "test_x.py", "aws.sqs.Queue\n")
    _write(tmp_path / "policies" / "rule.py", "aws.ssm.Parameter\n")
    _write(tmp_path / "notes.txt", "aws.eks.Cluster\n")  # not Python

    assert aws_modules_used(tmp_path) == ["ec2", "kms", "rds"]


def test_this_project(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    used = aws_modules_used(root)
    for module in ("ec2", "ecs", "lb", "rds", "iam", "cloudwatch"):
        assert module in used
