"""Exports on DynamoDB Local (the local mode's database): the parallel Scan's segments and
pages together hand out every ledger entry and every member exactly once."""

from __future__ import annotations

import csv
import io

import pytest

from shared import files
from shared.dynamodb import exports as repo
from tests.support import Api, at, purchase, register_member

pytestmark = pytest.mark.dynamodb_local

MEMBERS = 60


def test_ledger_and_members_exports_hold_every_row_exactly_once(
    local_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repo, "PAGE_LIMIT", 7)  # many small pages in every segment
    at("2026-11-10")
    for n in range(MEMBERS):
        register_member(local_api, f"m-{n:03d}")
        assert purchase(local_api, f"m-{n:03d}", f"o-{n:03d}", f"{n}.50").status == 201

    for kind, expected in (
        (
            "ledger",
            {f"registration:m-{n:03d}" for n in range(MEMBERS)}
            | {f"purchase:o-{n:03d}" for n in range(MEMBERS)},
        ),
        ("members", {f"m-{n:03d}" for n in range(MEMBERS)}),
    ):
        res = local_api.operator("POST", "/v1/admin/exports", {"kind": kind})
        assert res.status == 202, res.body
        done = local_api.operator("GET", f"/v1/admin/exports/{res.body['export_id']}").body
        assert done["status"] == "complete" and done["rows"] == len(expected), done
        text = files.local_path(f"exports/{done['export_id']}.csv").read_text("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        ids = [row["entry_id" if kind == "ledger" else "member_id"] for row in rows]
        assert len(ids) == len(set(ids)) and set(ids) == expected
        if kind == "ledger":
            amounts = {row["ref"]: row["amount"] for row in rows if row["source"] == "purchase"}
            assert amounts["o-007"] == "7.50"
