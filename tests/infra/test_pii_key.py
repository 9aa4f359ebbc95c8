"""The stage's PII HMAC key: a generated secret per stage, readable (GetSecretValue, nothing
else) only by the functions that declare ``pii_key``, named to them by env."""

from __future__ import annotations

from typing import Any

import pytest

from infra.catalog import catalog
from infra.config import stage_config
from infra.permissions import ACCESS, GET_SECRET, Access, statements
from shared.settings import ENV_PII_SECRET_ID

pytestmark = pytest.mark.infra


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _secret_id(resources: dict, name: str = "pii-hmac-key") -> str:
    """The logical id of the stage's secret named ``<project>-<stage>-<name>``."""
    (logical_id,) = [
        k
        for k, v in resources.items()
        if v["Type"] == "AWS::SecretsManager::Secret" and v["Properties"]["Name"].endswith(name)
    ]
    return logical_id


def _functions(resources: dict, stage: str) -> dict[str, dict]:
    config = stage_config({"stage": stage})
    by_name = {config.name(spec.name): spec.name for spec in catalog()}
    return {
        by_name[r["Properties"]["FunctionName"]]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") in by_name
    }


def _secret_grants(resources: dict, role_id: str, secret: str) -> list[tuple[str, Any]]:
    """(action, resource) of every secretsmanager action the role's policies allow on
    ``secret`` or on a resource that is no secret of the stack (a wildcard, an ARN)."""
    docs = [p["PolicyDocument"] for p in resources[role_id]["Properties"].get("Policies", [])]
    docs += [
        r["Properties"]["PolicyDocument"]
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
    ]
    return [
        (action, "secret" if resource == {"Ref": secret} else resource)
        for doc in docs
        for statement in doc["Statement"]
        for action in _as_list(statement["Action"])
        if action.startswith("secretsmanager:")
        for resource in _as_list(statement["Resource"])
        if resource == {"Ref": secret} or not _stack_secret(resources, resource)
    ]


def _stack_secret(resources: dict, resource: Any) -> bool:
    ref = resource.get("Ref") if isinstance(resource, dict) else None
    return ref in resources and resources[ref]["Type"] == "AWS::SecretsManager::Secret"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_stage_generates_its_own_key(synth, stage: str) -> None:
    resources = synth.raw(stage)["Resources"]
    secret = resources[_secret_id(resources)]
    props = secret["Properties"]
    assert props["Name"] == stage_config({"stage": stage}).name("pii-hmac-key")
    generated = props["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and generated["ExcludePunctuation"] is True
    assert "SecretString" not in props  # never a value in the template
    expected = "Retain" if stage == "prod" else "Delete"
    assert secret["DeletionPolicy"] == expected


def test_only_the_declaring_functions_read_the_key_and_nothing_else(synth) -> None:
    resources = synth.raw()["Resources"]
    secret = _secret_id(resources)
    readers = set()
    for name, fn in _functions(resources, "dev").items():
        grants = _secret_grants(resources, fn["Role"]["Fn::GetAtt"][0], secret)
        env = fn["Environment"]["Variables"]
        if grants:
            readers.add(name)
            assert grants == [(GET_SECRET, "secret")], name
            assert env[ENV_PII_SECRET_ID] == {"Ref": secret}, name
        else:
            assert ENV_PII_SECRET_ID not in env, name
    assert readers == {spec.name for spec in catalog() if spec.access.pii_key}
    assert {"earn", "admin"} <= readers  # registration and the lookup


def test_the_functions_that_hash_contacts_declare_the_key() -> None:
    assert ACCESS["earn"].pii_key and ACCESS["admin"].pii_key
    assert not ACCESS["account"].pii_key  # members' own reads never hash a contact


def test_a_declared_key_without_the_secret_is_a_build_error() -> None:
    with pytest.raises(ValueError, match="PII secret"):
        statements(Access(pii_key=True), "arn:table", "arn:bus")
    rendered = statements(Access(pii_key=True), "arn:table", "arn:bus", "arn:secret")
    assert [s.to_statement_json() for s in rendered] == [
        {"Action": GET_SECRET, "Effect": "Allow", "Resource": "arn:secret"}
    ]
