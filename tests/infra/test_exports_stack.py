"""The exports function: its table grants (a Scan, no delete), the file store's exports/
prefix only, its own function as the only one it invokes, and the time its job may take."""

from __future__ import annotations

import pytest

from infra.permissions import GET, GET_SECRET, INVOKE, PUT, QUERY, S3_GET, S3_PUT, SCAN, UPDATE
from tests.infra.test_files_bucket import DEV, _as_list, _function, _statements
from tests.infra.test_iam import _data_grants, grants

pytestmark = pytest.mark.infra


def test_exports_scans_the_table_and_deletes_nothing(synth) -> None:
    """The export item and its audit entry (PutItem), its status (UpdateItem), the rows: a
    parallel Scan (ledger, members), orders by status, a campaign's statements."""
    assert _data_grants(synth, "exports") == grants(
        GET, QUERY, PUT, UPDATE, SCAN, by_status=(QUERY,), by_campaign=(QUERY,)
    )


def test_exports_reach_only_exports_files_and_invoke_only_themselves(synth) -> None:
    resources = synth.raw()["Resources"]
    fn = _function(resources, "exports")
    found = _statements(resources, fn)
    actions = {a for s in found for a in _as_list(s["Action"])}
    assert {S3_GET, S3_PUT, INVOKE} <= actions
    assert GET_SECRET not in actions  # contact details leave masked: no need of the PII key
    objects = [
        str(r)
        for s in found
        if {S3_GET, S3_PUT} & {*_as_list(s["Action"])}
        for r in _as_list(s["Resource"])
    ]
    assert objects and all("/exports/*" in r for r in objects)
    (invoke,) = [s for s in found if INVOKE in _as_list(s["Action"])]
    assert DEV.name("exports") in str(invoke["Resource"])
    assert fn["Timeout"] == 900 and fn["MemorySize"] == 1024
    assert fn["EphemeralStorage"] == {"Size": 4096}  # the CSV spools in /tmp before its upload
