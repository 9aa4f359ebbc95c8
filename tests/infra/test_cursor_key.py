"""The stage's cursor signing key: its own generated secret per stage (not the PII key),
readable (GetSecretValue, nothing else) by exactly the functions serving a paged list, named
to them by env; no function reads a secret it has no use for."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.constructs.cursor_key import paging_functions
from infra.permissions import GET_SECRET
from shared.settings import ENV_CURSOR_SECRET_ID, ENV_PII_SECRET_ID
from tests.infra.test_pii_key import (
    _functions,
    _secret_grants,
    _secret_id,
    assert_generated,
    readers,
)

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_stage_generates_its_own_cursor_key_apart_from_the_pii_key(synth, stage: str) -> None:
    resources = synth.raw(stage)["Resources"]
    cursor, pii = _secret_id(resources, "cursor-hmac-key"), _secret_id(resources, "pii-hmac-key")
    assert cursor != pii
    assert_generated(resources, cursor, stage, "cursor-hmac-key")


def test_exactly_the_paging_functions_read_the_cursor_key(synth) -> None:
    resources = synth.raw()["Resources"]
    found = readers(resources, _secret_id(resources, "cursor-hmac-key"), ENV_CURSOR_SECRET_ID)
    assert found == paging_functions()
    assert {"account", "admin", "redeem", "inbox"} <= found
    assert not {"publisher", "expire", "transfers", "notifier", "sender"} & found


def test_no_role_reads_any_other_secret(synth) -> None:
    """Every secretsmanager grant in the stack is GetSecretValue on one of the two keys."""
    resources = synth.raw()["Resources"]
    keys = {_secret_id(resources, "cursor-hmac-key"), _secret_id(resources, "pii-hmac-key")}
    for name, fn in _functions(resources, "dev").items():
        role = fn["Role"]["Fn::GetAtt"][0]
        env = fn["Environment"]["Variables"]
        for key in keys:
            for action, resource in _secret_grants(resources, role, key):
                assert (action, resource) == (GET_SECRET, "secret"), name
        if ENV_PII_SECRET_ID in env:
            assert env[ENV_PII_SECRET_ID] != env.get(ENV_CURSOR_SECRET_ID), name


def test_every_handler_reading_a_cursor_serves_a_paged_route() -> None:
    """A handler that passes ``cursor`` on must have a route documenting it, or it would be
    deployed without the key (and fail closed on its first page)."""
    reading = {
        path.parent.name
        for path in (ROOT / "functions").glob("*/handler.py")
        if '"cursor"' in path.read_text(encoding="utf-8")
    }
    assert reading and reading <= paging_functions()
