"""Settings fail fast in Lambda: a function whose stack forgot a variable fails its cold
start naming the variable, instead of reading a local default table or bus. Outside Lambda
(local mode, tests) the defaults still apply."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared import settings as settings_module
from shared.settings import (
    ENV_COUNTED_TABLE_NAME,
    ENV_EVENT_BUS_NAME,
    ENV_LAMBDA_FUNCTION,
    ENV_REGION,
    ENV_STAGE,
    ENV_TABLE_NAME,
    REQUIRED_IN_LAMBDA,
    SettingsMissing,
    settings,
)

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = {
    ENV_TABLE_NAME: "loyalty-dev-points",
    ENV_EVENT_BUS_NAME: "loyalty-dev-bus",
    ENV_STAGE: "dev",
    ENV_REGION: "ap-east-1",
}


def cold_start(module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import ``module`` in a fresh interpreter with exactly ``env`` (plus PATH)."""
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*REQUIRED_IN_LAMBDA, ENV_LAMBDA_FUNCTION, "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    settings.cache_clear()
    yield monkeypatch
    settings.cache_clear()


@pytest.mark.parametrize("missing", REQUIRED_IN_LAMBDA)
def test_in_lambda_a_missing_variable_raises_naming_it(
    fresh: pytest.MonkeyPatch, missing: str
) -> None:
    fresh.setenv(ENV_LAMBDA_FUNCTION, "loyalty-dev-account")
    for name, value in DEPLOYED.items():
        if name != missing:
            fresh.setenv(name, value)
    with pytest.raises(SettingsMissing, match=rf"{missing} not set .*loyalty-dev-account"):
        settings()


def test_in_lambda_with_every_variable_the_deployed_values_are_read(
    fresh: pytest.MonkeyPatch,
) -> None:
    fresh.setenv(ENV_LAMBDA_FUNCTION, "loyalty-dev-account")
    for name, value in DEPLOYED.items():
        fresh.setenv(name, value)
    got = settings()
    assert (got.table_name, got.event_bus_name, got.stage, got.region) == (
        "loyalty-dev-points",
        "loyalty-dev-bus",
        "dev",
        "ap-east-1",
    )


def test_outside_lambda_the_local_defaults_apply(fresh: pytest.MonkeyPatch) -> None:
    got = settings()
    assert (got.table_name, got.event_bus_name, got.stage) == (
        "loyalty-points-local",
        "default",
        "local",
    )
    settings_module.check()  # nothing to say outside Lambda


def test_without_its_table_a_function_fails_at_import_not_at_its_first_request() -> None:
    # The table connection's module: every handler that reads or writes imports it.
    env = {ENV_LAMBDA_FUNCTION: "loyalty-dev-account", **DEPLOYED}
    del env[ENV_TABLE_NAME]
    broken = cold_start("shared.dynamodb.connection", env)
    assert broken.returncode != 0
    assert "SettingsMissing: TABLE_NAME not set in Lambda function loyalty-dev-account" in (
        broken.stderr
    )
    fine = cold_start("shared.dynamodb.connection", {ENV_LAMBDA_FUNCTION: "x", **DEPLOYED})
    assert fine.returncode == 0, fine.stderr


def test_the_counted_events_table_is_named_only_where_the_stack_grants_it(
    fresh: pytest.MonkeyPatch,
) -> None:
    from shared.dynamodb import connection

    fresh.delenv(ENV_COUNTED_TABLE_NAME, raising=False)
    assert settings().counted_table_name == "loyalty-points-local-counted"  # local mode
    fresh.setenv(ENV_LAMBDA_FUNCTION, "loyalty-dev-account")
    for name, value in DEPLOYED.items():
        fresh.setenv(name, value)
    settings.cache_clear()
    connection.reset()
    try:
        with pytest.raises(SettingsMissing, match=ENV_COUNTED_TABLE_NAME):
            connection.counted_table()  # a function not granted it: no table guessed
        fresh.setenv(ENV_COUNTED_TABLE_NAME, "loyalty-dev-counted")
        connection.reset()
        assert connection.counted_table().table_name == "loyalty-dev-counted"
    finally:
        connection.reset()
