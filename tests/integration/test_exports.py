"""Operators export the ledger, orders, members and rebate statements for finance, through
the handlers (moto; the job runs inline, the files in the test's own directory: see
tests/conftest.py).

Story: members register (one with contact details) and buy in November and December; an
operator asks for November's ledger and gets a file of exactly November's entries with the
amounts as the shop sent them, behind a URL that stops working after 15 minutes.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from shared import clock, files
from shared.dynamodb import audit as audit_log
from shared.jobs import background
from tests.support import Api, at, purchase, register_member, table_items

EXPORTS = "/v1/admin/exports"
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Rd"}


def ask(api: Api, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return api.operator("POST", EXPORTS, body, headers=headers)


def status(api: Api, export_id: str) -> dict[str, Any]:
    res = api.operator("GET", f"{EXPORTS}/{export_id}")
    assert res.status == 200, res.body
    return res.body


def download(url: str) -> list[dict[str, str]]:
    """The file behind a local signed URL, as the local server would serve it."""
    parsed = urlparse(url)
    key = unquote(parsed.path.removeprefix(files.LOCAL_PREFIX))
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    assert files.verify_local_url("GET", key, query["expires"], query["sig"])
    raw = files.local_path(key).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def exported(api: Api, **body: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    res = ask(api, **body)
    assert res.status == 202, res.body
    done = status(api, res.body["export_id"])
    assert done["status"] == "complete", done
    return done, download(done["url"])


def test_a_ledger_export_holds_the_windows_entries_with_money_as_decimal_strings(
    api: Api,
) -> None:
    at("2026-10-31", 23, 59)
    register_member(api, "m-oct")  # welcome points in October: outside the window
    at("2026-11-01", 0, 0)
    register_member(api, "m-nov")
    assert purchase(api, "m-nov", "o-1", "199.90").status == 201
    at("2026-11-30", 23, 59)
    assert purchase(api, "m-oct", "o-2", "99999.05").status == 201
    at("2026-12-01", 0, 0)
    assert purchase(api, "m-nov", "o-3", "10.00").status == 201  # December: outside

    at("2026-12-02")
    res = ask(api, kind="ledger", **{"from": "2026-11-01", "to": "2026-12-01"})
    assert res.status == 202, res.body
    assert res.body["status"] == "queued" and res.body["url"] is None
    done, rows = exported(api, kind="ledger", **{"from": "2026-11-01", "to": "2026-12-01"})

    assert done["rows"] == 3 == len(rows)
    by_entry = {row["entry_id"]: row for row in rows}
    assert set(by_entry) == {"registration:m-nov", "purchase:o-1", "purchase:o-2"}
    assert by_entry["purchase:o-1"]["amount"] == "199.90"  # as sent: never through a float
    assert by_entry["purchase:o-2"]["amount"] == "99999.05"
    assert by_entry["purchase:o-1"]["points"] == "199"
    assert by_entry["purchase:o-2"]["at"] == "2026-11-30T23:59:00+08:00"  # programme time
    assert by_entry["registration:m-nov"]["member_id"] == "m-nov"


def test_the_url_is_fresh_on_each_read_and_stops_working_after_15_minutes(
    api: Api,
) -> None:
    at("2026-11-10")
    register_member(api, "m-1")
    done, _ = exported(api, kind="ledger")
    assert done["expires_at"] == "2026-11-10T10:15:00+08:00"
    query = {k: v[0] for k, v in parse_qs(urlparse(done["url"]).query).items()}
    key = f"exports/{done['export_id']}.csv"

    clock.pin(clock.now() + timedelta(minutes=16))
    assert not files.verify_local_url("GET", key, query["expires"], query["sig"])
    again = status(api, done["export_id"])
    assert again["url"] != done["url"] and download(again["url"])

    clock.pin(clock.now() + timedelta(days=7))  # the file store keeps exports 7 days
    gone = status(api, done["export_id"])
    assert gone["status"] == "complete" and gone["url"] is None and gone["expires_at"] is None


def test_members_export_masks_contact_details(api: Api) -> None:
    at("2026-11-10")
    register_member(api, "m-zhang", phone="13812345678", email="li.lei@example.com", name="张三")
    register_member(api, "m-plain")
    _, rows = exported(api, kind="members")

    by_member = {row["member_id"]: row for row in rows}
    assert set(by_member) == {"m-zhang", "m-plain"}
    zhang = by_member["m-zhang"]
    assert (zhang["phone"], zhang["email"], zhang["name"]) == (
        "138****5678",
        "l***@example.com",
        "张*",
    )
    assert zhang["balance"] == "100" and zhang["tier"] == "bronze"
    assert by_member["m-plain"]["phone"] == ""
    text = files.local_path(f"exports/{_last_export(api)}.csv").read_text("utf-8-sig")
    assert "13812345678" not in text and "li.lei" not in text and "张三" not in text


def _last_export(api: Api) -> str:
    entries, _ = audit_log.page(
        actor="op-1", target=None, start=None, end=clock.now(), limit=1, cursor=None
    )
    return entries[0].target.removeprefix("export:")


def test_orders_export_reads_the_windows_orders_of_every_status(api: Api) -> None:
    at("2026-11-10")
    body = {"name": "Mug", "kind": "gift", "points": 50, "per_member_limit": None}
    assert api.operator("PUT", "/v1/admin/catalog/mug", body).status == 201
    register_member(api, "m-1")
    redeemed = []
    for _ in range(2):
        res = api.member("m-1", "POST", "/v1/redemptions", {"item_id": "mug", "delivery": SHIP})
        assert res.status == 201, res.body
        redeemed.append(res.body["order_id"])
    cancel = api.member("m-1", "POST", f"/v1/me/orders/{redeemed[0]}/cancel", {})
    assert cancel.status == 200, cancel.body
    at("2026-12-05")
    res = api.member("m-1", "POST", "/v1/redemptions", {"item_id": "mug", "delivery": SHIP})
    assert res.status == 201, res.body

    _, rows = exported(api, kind="orders", **{"from": "2026-11-01", "to": "2026-12-01"})
    assert {(row["order_id"], row["status"]) for row in rows} == {
        (redeemed[0], "cancelled"),
        (redeemed[1], "placed"),
    }
    assert all(row["points"] == "50" and row["delivery_method"] == "ship" for row in rows)
    assert "13800000000" not in str(rows) and "Li Lei" not in str(rows)  # no delivery PII


def test_asking_writes_one_audit_entry_and_a_retry_with_the_same_key_reuses_the_export(
    api: Api,
) -> None:
    at("2026-11-10")
    register_member(api, "m-1")
    key = {"idempotency-key": "finance-nov-1"}
    first = ask(api, key, kind="ledger", **{"from": "2026-11-01"})
    again = ask(api, key, kind="ledger", **{"from": "2026-11-01"})
    assert first.status == again.status == 202
    assert again.body["export_id"] == first.body["export_id"]
    entries, _ = audit_log.page(
        actor=None,
        target=f"export:{first.body['export_id']}",
        start=None,
        end=clock.now(),
        limit=10,
        cursor=None,
    )
    assert [(e.action, e.actor, e.after["kind"]) for e in entries] == [
        ("export.create", "op-1", "ledger")
    ]
    other = ask(api, key, kind="members")
    assert other.status == 409 and other.code == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "everything"}, "kind"),
        ({}, "kind"),
        ({"kind": "ledger", "from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"kind": "ledger", "from": "yesterday"}, "from"),
        ({"kind": "ledger", "from": "2099-01-01"}, "from"),  # no to: until now
        ({"kind": "ledger", "to": "2026-11-01T00:00:00"}, "to"),  # no UTC offset
        ({"kind": "statements"}, "campaign_id"),
        ({"kind": "statements", "campaign_id": "xmas", "from": "2026-11-01"}, "from"),
        ({"kind": "orders", "campaign_id": "xmas"}, "campaign_id"),
        ({"kind": "ledger", "format": "xlsx"}, "format"),
    ],
)
def test_bad_requests_are_422_and_change_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    before = table_items()
    res = ask(api, **body)
    assert res.status == 422 and field in res.body["error"]["details"]["fields"], res.body
    assert table_items() == before


def test_statements_of_an_unknown_campaign_and_an_unknown_export_are_404(api: Api) -> None:
    before = table_items()
    res = ask(api, kind="statements", campaign_id="nope")
    assert res.status == 404 and res.code == "campaign_not_found"
    missing = api.operator("GET", f"{EXPORTS}/x-none")
    assert missing.status == 404 and missing.code == "export_not_found"
    assert table_items() == before


def test_a_job_out_of_time_fails_with_a_reason_and_leaves_no_file(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.exports import jobs

    at("2026-11-10")
    register_member(api, "m-1")
    monkeypatch.setattr(background, "start", lambda payload, run: None)  # not run yet
    export_id = ask(api, kind="ledger").body["export_id"]
    result = jobs.run_export({"export_id": export_id}, time_left=lambda: 0.0)
    assert result["status"] == "failed"
    failed = status(api, export_id)
    assert failed["status"] == "failed" and "narrower window" in failed["error"]
    assert failed["url"] is None
    assert not files.local_path(f"exports/{export_id}.csv").exists()
    # a repeated invocation leaves the failed export as it is
    assert jobs.run_export({"export_id": export_id})["skipped"]


def test_a_running_export_whose_job_died_is_shown_failed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.dynamodb import exports as repo

    at("2026-11-10")
    monkeypatch.setattr(background, "start", lambda payload, run: None)
    export_id = ask(api, kind="members").body["export_id"]
    assert repo.start(export_id, clock.now())
    assert status(api, export_id)["status"] == "running"
    clock.pin(clock.now() + timedelta(minutes=21))
    shown = status(api, export_id)
    assert shown["status"] == "failed" and "stopped" in shown["error"]


def test_an_export_whose_job_never_started_is_shown_failed(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-11-10")
    monkeypatch.setattr(background, "start", lambda payload, run: None)  # the invocation lost
    export_id = ask(api, kind="orders").body["export_id"]
    assert status(api, export_id)["status"] == "queued"
    clock.pin(clock.now() + timedelta(minutes=21))
    assert status(api, export_id)["status"] == "failed"


def test_a_statements_export_holds_the_same_rows_as_the_campaigns_csv(api: Api) -> None:
    from tests.integration.test_rebate_review import settled

    settled(api, ("xmas", "points"))
    _, rows = exported(api, kind="statements", campaign_id="xmas")

    csv_res = api.operator("GET", "/v1/admin/rebates/xmas/statements.csv")
    assert csv_res.status == 200
    expected = list(csv.DictReader(io.StringIO(csv_res.body, newline="")))
    assert sorted(rows, key=lambda row: row["member_id"]) == expected
    assert {row["member_id"]: row["total"] for row in rows}["m-b"] == "600.00"


def test_on_s3_the_file_is_uploaded_and_the_url_is_presigned_for_15_minutes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1")  # moto's, like the table
    s3.create_bucket(Bucket="loyalty-files-test")
    monkeypatch.setenv(files.ENV_FILES_BUCKET, "loyalty-files-test")
    files.reset()
    at("2026-11-10")
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "88.80").status == 201
    res = ask(api, kind="ledger")
    assert res.status == 202, res.body
    done = status(api, res.body["export_id"])
    assert done["status"] == "complete" and done["url"].startswith("https://"), done

    query = parse_qs(urlparse(done["url"]).query)
    assert urlparse(done["url"]).path.endswith(f"/exports/{done['export_id']}.csv")
    assert query["X-Amz-Expires"] == ["900"]
    body = s3.get_object(Bucket="loyalty-files-test", Key=f"exports/{done['export_id']}.csv")
    rows = list(csv.DictReader(io.StringIO(body["Body"].read().decode("utf-8-sig"))))
    assert {row["entry_id"]: row["amount"] for row in rows}["purchase:o-1"] == "88.80"
    files.reset()
