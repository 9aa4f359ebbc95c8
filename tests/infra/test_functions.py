from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from infra.catalog import catalog
from infra.config import stage_config
from shared.routes import functions
from shared.settings import (
    ENV_COUNTED_TABLE_NAME,
    ENV_EVENT_BUS_NAME,
    ENV_STAGE,
    ENV_TABLE_NAME,
)
from shared.tables import COUNTED_TABLE

pytestmark = pytest.mark.infra

DEV = stage_config({"stage": "dev"})


def _functions(synth, stage: str = "dev") -> dict[str, dict]:
    """FunctionName -> Properties of every Lambda function of ours in the stage's template
    (CDK's site deployment handler has no name; tests/infra/test_site.py covers it)."""
    found = synth.template(stage).find_resources("AWS::Lambda::Function")
    return {
        r["Properties"]["FunctionName"]: r["Properties"]
        for r in found.values()
        if "FunctionName" in r["Properties"]
    }


def test_one_function_per_folder_of_the_route_table(synth) -> None:
    names = set(_functions(synth))

    assert {DEV.name(f) for f in functions()} <= names
    assert names == {DEV.name(spec.name) for spec in catalog()}
    unnamed = len(synth.template().find_resources("AWS::Lambda::Function")) - len(names)
    assert unnamed == 1  # the site's BucketDeployment handler


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_function_is_python312_arm64_and_traced(synth, stage: str) -> None:
    for name, props in _functions(synth, stage).items():
        assert props["Runtime"] == "python3.12", name
        assert props["Architectures"] == ["arm64"], name
        assert props["TracingConfig"] == {"Mode": "Active"}, name


def test_every_function_has_the_app_and_powertools_environment(synth) -> None:
    for spec in catalog():
        synth.template().has_resource_properties(
            "AWS::Lambda::Function",
            {
                "FunctionName": DEV.name(spec.name),
                "Handler": f"functions.{spec.name}.handler.lambda_handler",
                "Layers": Match.any_value(),
                "Environment": {
                    "Variables": {
                        "POWERTOOLS_SERVICE_NAME": spec.name,
                        "POWERTOOLS_METRICS_NAMESPACE": Match.any_value(),
                        "POWERTOOLS_LOG_LEVEL": "INFO",
                        ENV_TABLE_NAME: {"Ref": Match.string_like_regexp("^Points")},
                        ENV_EVENT_BUS_NAME: {"Ref": Match.string_like_regexp("^Bus")},
                        ENV_STAGE: "dev",
                    }
                },
            },
        )


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_only_the_reports_function_is_told_the_counted_table(synth, stage: str) -> None:
    """Only a function granted the counted-events table gets its name (shared/settings.py:
    without it, a function touching the table fails loudly instead of being denied)."""
    told = {
        name: props["Environment"]["Variables"][ENV_COUNTED_TABLE_NAME]
        for name, props in _functions(synth, stage).items()
        if ENV_COUNTED_TABLE_NAME in props["Environment"]["Variables"]
    }

    (value,) = told.values()
    assert set(told) == {stage_config({"stage": stage}).name("reports")}
    assert set(value) == {"Ref"} and value["Ref"].startswith(COUNTED_TABLE.logical_id)


def test_every_function_logs_to_its_own_log_group_with_retention(synth) -> None:
    resources = synth.raw()["Resources"]
    for props in _functions(synth).values():
        log_group = resources[props["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["RetentionInDays"] > 0
        assert log_group["Properties"]["LogGroupName"] == f"/aws/lambda/{props['FunctionName']}"


def test_function_code_holds_only_its_folder_and_the_shared_package(synth) -> None:
    for spec in catalog():
        props = _functions(synth)[DEV.name(spec.name)]
        asset = synth.outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"

        assert sorted(p.name for p in asset.iterdir()) == ["functions", "shared"]
        assert sorted(p.name for p in (asset / "functions").iterdir()) == [
            "__init__.py",
            spec.name,
        ]
        assert (asset / "functions" / spec.name / "handler.py").is_file()
        assert (asset / "shared" / "routes.py").is_file()
        assert not list(asset.rglob("__pycache__"))


def test_layer_is_for_python312_on_arm64(synth) -> None:
    synth.template().has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["arm64"]},
    )
