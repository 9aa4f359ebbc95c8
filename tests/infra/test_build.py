"""Packaging helpers: no synthesis, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import assets, build_layer
from infra.config import ROOT, flag, stage_config

pytestmark = pytest.mark.infra


def test_function_asset_is_its_folder_plus_the_shared_package(tmp_path: Path) -> None:
    staged = assets.stage_function("earn", out=tmp_path)

    assert sorted(p.name for p in staged.iterdir()) == ["functions", "shared"]
    assert sorted(p.name for p in (staged / "functions").iterdir()) == ["__init__.py", "earn"]
    assert (staged / "functions" / "earn" / "handler.py").is_file()
    assert (staged / "shared" / "tables.py").is_file()
    # The lean botocore data the DynamoDB client loads (cold start) ships with the code.
    assert (staged / "shared" / "dynamodb" / "botocore_data" / "endpoints.json").is_file()
    assert not list(staged.rglob("__pycache__"))
    assert not list(tmp_path.glob(".*tmp"))


def test_restaging_replaces_the_previous_copy(tmp_path: Path) -> None:
    staged = assets.stage_function("earn", out=tmp_path)
    (staged / "stale.txt").write_text("left over")

    again = assets.stage_function("earn", out=tmp_path)

    assert again == staged
    assert not (again / "stale.txt").exists()


def test_staging_a_function_without_handler_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"handler\.py"):
        assets.stage_function("no_such_function", out=tmp_path)


def test_missing_layer_falls_back_to_an_empty_placeholder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = assets.layer_dir(layer=tmp_path / "layer", placeholder=tmp_path / "placeholder")

    assert chosen == tmp_path / "placeholder"
    assert (chosen / "python").is_dir()
    assert "EMPTY dependencies layer" in capsys.readouterr().err


def test_built_layer_is_used_when_present(tmp_path: Path) -> None:
    (tmp_path / "layer" / "python").mkdir(parents=True)

    assert assets.layer_dir(layer=tmp_path / "layer") == tmp_path / "layer"


def test_layer_requirements_leave_boto_to_the_runtime_and_add_tzdata() -> None:
    reqs = build_layer.requirements(ROOT / "pyproject.toml")
    names = {build_layer._requirement_name(r) for r in reqs}

    assert {"aws-lambda-powertools", "pynamodb", "tzdata"} <= names
    assert not names & build_layer.RUNTIME_PROVIDED


def test_layer_pip_command_targets_python312_arm64_wheels_only(tmp_path: Path) -> None:
    command = build_layer.pip_command(["pynamodb==6.1.0"], tmp_path)

    assert command[command.index("--platform") + 1] == "manylinux2014_aarch64"
    assert command[command.index("--python-version") + 1] == "3.12"
    assert "--only-binary=:all:" in command
    assert command[command.index("--target") + 1] == str(tmp_path)


def test_pruning_removes_runtime_provided_distributions(tmp_path: Path) -> None:
    for name, package in (("botocore-1.0", "botocore"), ("pynamodb-6.1.0", "pynamodb")):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        info = tmp_path / f"{name}.dist-info"
        info.mkdir()
        (info / "RECORD").write_text(f"{package}/__init__.py,,\n{name}.dist-info/RECORD,,\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "jp.py").write_text("")

    removed = build_layer.prune_runtime_provided(tmp_path)

    assert removed == ["botocore"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pynamodb", "pynamodb-6.1.0.dist-info"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), (True, True), ("true", True), ("false", False), ("0", False), (False, False)],
)
def test_nag_flag_defaults_on_and_reads_cli_strings(value: object, expected: bool) -> None:
    assert flag(value, default=True) is expected


def test_stage_defaults_to_dev_and_only_prod_retains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAGE", raising=False)

    assert stage_config().stage == "dev"
    assert not stage_config({"stage": "dev"}).is_prod
    assert stage_config({"stage": "prod"}).is_prod
    assert stage_config({"stage": "prod"}).stack_name == "LoyaltyPoints-prod"
