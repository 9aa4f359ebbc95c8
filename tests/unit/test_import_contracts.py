"""The layering rules in `.importlinter` hold, and they catch a use case reaching for storage."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "functions", "local", "infra", "ops")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", "--config", str(tree / ".importlinter")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_tree(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "*.json")
        )
    shutil.copy(ROOT / ".importlinter", target / ".importlinter")
    return target


def test_the_code_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_use_case_that_imports_storage_rows_breaks_the_contract(tmp_path: Path) -> None:
    tree = copy_of_the_tree(tmp_path)
    (tree / "shared" / "sneaky.py").write_text(
        "from shared.dynamodb.models import MemberItem\n\n\ndef rows():\n    return MemberItem\n"
    )

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "shared.sneaky is not allowed to import shared.dynamodb.models" in result.stdout


def test_domain_code_that_imports_the_aws_sdk_breaks_the_contract(tmp_path: Path) -> None:
    tree = copy_of_the_tree(tmp_path)
    (tree / "shared" / "domain" / "sneaky.py").write_text("import boto3\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "shared.domain.sneaky -> boto3" in result.stdout
