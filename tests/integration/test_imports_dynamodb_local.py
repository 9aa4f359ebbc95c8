"""Members import on DynamoDB Local: bad rows reported while good rows land, a crash in the
middle resumed with every row exactly once, a re-post importing nothing, the upload flow."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from shared import files
from shared.dynamodb import imports as repo
from shared.imports import job as import_job
from shared.jobs import background
from tests.support import Api, register_member, table_items

pytestmark = pytest.mark.dynamodb_local

HEADER = "member_id,phone,email,birthday,points,expires_on"
CSV = "text/csv"


@pytest.fixture
def imports_api(local_api: Api, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path / "files"))
    monkeypatch.setenv(background.ENV_MODE, "inline")
    monkeypatch.setattr(import_job, "CHUNK_ROWS", 7)  # several checkpoints in a small file
    yield local_api


def post_csv(api: Api, text: str) -> Any:
    headers = {"content-type": CSV}
    return api.operator("POST", "/v1/admin/imports", raw=text.encode(), headers=headers)


def csv_of(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def good_rows(n: int, prefix: str = "imp") -> list[str]:
    return [f"{prefix}-{i:04d},,,,{100 + i},2099-12-31" for i in range(n)]


def opening_entries() -> dict[str, int]:
    """Member id -> number of opening-balance ledger entries."""
    counts: dict[str, int] = {}
    for item in table_items():
        if item["sk"]["S"].startswith("LEDGER#import#"):
            member = item["pk"]["S"].removeprefix("MEMBER#")
            counts[member] = counts.get(member, 0) + 1
    return counts


def test_good_rows_land_and_bad_rows_are_reported_with_their_line_and_reason(
    imports_api: Api,
) -> None:
    api = imports_api
    text = csv_of(
        [
            "m-a,13812345678,A@Example.com,1990-05-17,1500,2099-12-31",
            "m-b,,,,abc,2099-12-31",  # row 3: points not a number
            "m-c,,,,0,2099-12-31",  # row 4: zero
            "",  # row 5: blank, not a row
            "m-d,,,,10,2001-01-01",  # row 6: expired
            "bad id!,,,,10,",  # row 7: bad id
            "m-e,12,,,10,",  # row 8: bad phone
            "m-f,,not-an-email,,10,",  # row 9: bad e-mail
            "m-a,,,,5,",  # row 10: duplicate of row 2
            "m-g,,,13-40,10,",  # row 11: bad birthday
            "m-h,,,,10",  # row 12: a column missing
            "m-i,,,02-29,20,",  # row 13: good, default expiry
        ]
    )
    res = post_csv(api, text)
    assert res.status == 202, res.body
    import_id = res.body["import_id"]

    got = api.operator("GET", f"/v1/admin/imports/{import_id}").body

    assert got["status"] == "complete"
    assert (got["rows"], got["imported"], got["skipped"]) == (11, 2, 0)
    assert got["rejected_count"] == 9
    reasons = {r["row"]: r["error"] for r in got["rejected"]}
    assert sorted(reasons) == [3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert "points" in reasons[3] and "points" in reasons[4]
    assert "in the past" in reasons[6]
    assert "member_id" in reasons[7]
    assert "phone" in reasons[8] and "12" not in reasons[8].replace("phone", "")
    assert "email" in reasons[9]
    assert reasons[10] == "member_id is a duplicate of row 2"
    assert "birthday" in reasons[11]
    assert "columns" in reasons[12]

    member = api.operator("GET", "/v1/admin/members/m-a").body
    assert member["balance"] == 1500
    assert member["birthday"] == "05-17"
    me = api.member("m-a", "GET", "/v1/me").body
    assert me["expiring"] == [{"points": 1500, "expires_on": "2099-12-31"}]
    found = api.operator("GET", "/v1/admin/members?phone=%2B8613812345678").body
    assert [m["member_id"] for m in found["items"]] == ["m-a"]
    assert api.member("m-i", "GET", "/v1/me").body["balance"] == 20


def test_a_repost_imports_nothing_twice_and_says_so(imports_api: Api) -> None:
    api = imports_api
    text = csv_of(good_rows(20))
    first = post_csv(api, text).body["import_id"]
    again = post_csv(api, text).body["import_id"]

    got = api.operator("GET", f"/v1/admin/imports/{again}").body

    assert api.operator("GET", f"/v1/admin/imports/{first}").body["imported"] == 20
    assert (got["status"], got["rows"], got["imported"], got["skipped"]) == (
        "complete",
        20,
        0,
        20,
    )
    assert set(opening_entries().values()) == {1}
    assert api.member("imp-0003", "GET", "/v1/me").body["balance"] == 103


def test_an_existing_member_gets_the_opening_balance_and_keeps_their_profile(
    imports_api: Api,
) -> None:
    api = imports_api
    register_member(api, "m-old")
    before = api.member("m-old", "GET", "/v1/me").body

    post_csv(api, csv_of(["m-old,13812345678,,01-01,700,2099-12-31"]))

    after = api.member("m-old", "GET", "/v1/me").body
    assert after["balance"] == before["balance"] + 700
    assert after["birthday"] == before["birthday"]
    assert after["referral_code"] == before["referral_code"]


class Crash(Exception):
    pass


def test_a_crash_in_the_middle_resumes_with_every_row_exactly_once(
    imports_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = imports_api
    rows = good_rows(40)
    rows[12] = "dup-me,,,,5,"
    rows[30] = "dup-me,,,,6,"  # a duplicate in a later chunk than its first row
    rows[17] = "m-bad,,,,-3,"
    monkeypatch.setattr(background, "start", lambda payload, run: None)  # the POST only queues
    import_id = post_csv(api, csv_of(rows)).body["import_id"]
    real = repo.import_row
    calls = {"n": 0}

    def crashing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 25:  # in the middle of the fourth chunk, others of it done
            raise Crash()
        return real(*args, **kwargs)

    monkeypatch.setattr(repo, "import_row", crashing)
    with pytest.raises(Crash):
        import_job.run(import_id)
    stopped = api.operator("GET", f"/v1/admin/imports/{import_id}").body
    assert stopped["status"] == "running"
    assert 0 < stopped["imported"] < 38

    monkeypatch.setattr(repo, "import_row", real)
    import_job.run(import_id)

    got = api.operator("GET", f"/v1/admin/imports/{import_id}").body
    assert (got["status"], got["rows"], got["imported"], got["skipped"]) == (
        "complete",
        40,
        38,
        0,
    )
    assert [(r["row"], r["error"]) for r in got["rejected"]] == [
        (19, "points must be a whole number from 1 to 1000000000"),
        (32, "member_id is a duplicate of row 14"),
    ]
    entries = opening_entries()
    assert len(entries) == 38 and set(entries.values()) == {1}
    assert api.member("dup-me", "GET", "/v1/me").body["balance"] == 5


def test_a_crash_after_the_rows_before_the_checkpoint_counts_them_once(
    imports_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = imports_api
    monkeypatch.setattr(background, "start", lambda payload, run: None)
    import_id = post_csv(api, csv_of(good_rows(20))).body["import_id"]
    real_save, saves = repo.save, {"n": 0}

    def crashing_save(job: Any, read_ver: int) -> bool:
        saves["n"] += 1
        if saves["n"] == 2:  # the second chunk's rows are written, its checkpoint is not
            raise Crash()
        return real_save(job, read_ver)

    monkeypatch.setattr(repo, "save", crashing_save)
    with pytest.raises(Crash):
        import_job.run(import_id)
    monkeypatch.setattr(repo, "save", real_save)
    import_job.run(import_id)

    got = api.operator("GET", f"/v1/admin/imports/{import_id}").body
    assert (got["rows"], got["imported"], got["skipped"], got["rejected_count"]) == (20, 20, 0, 0)


def test_a_run_out_of_time_continues_itself(
    imports_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = imports_api
    monkeypatch.setattr(background, "start", lambda payload, run: None)
    import_id = post_csv(api, csv_of(good_rows(30))).body["import_id"]
    continued: list[str] = []
    clock_left = iter([100.0] + [0.0] * 50)  # the budget is spent after one chunk

    summary = import_job.run(import_id, lambda: next(clock_left), then=continued.append)

    assert continued == [import_id] and summary["status"] == "running"
    assert summary["rows"] == import_job.CHUNK_ROWS
    assert import_job.run(import_id)["imported"] == 30


def test_the_upload_flow_takes_a_file_put_to_its_url(imports_api: Api) -> None:
    api = imports_api
    created = api.operator("POST", "/v1/admin/imports/uploads")
    assert created.status == 201, created.body
    import_id = created.body["import_id"]
    url = urllib.parse.urlsplit(created.body["upload_url"])
    assert url.path == f"/local/files/imports/{import_id}.csv"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert files.verify_local_url("PUT", f"imports/{import_id}.csv", query["expires"], query["sig"])

    early = api.operator("POST", f"/v1/admin/imports/{import_id}/start")
    assert (early.status, early.code) == (409, "upload_missing")

    files.put_bytes(f"imports/{import_id}.csv", csv_of(good_rows(3, "up")).encode())
    started = api.operator("POST", f"/v1/admin/imports/{import_id}/start")
    again = api.operator("POST", f"/v1/admin/imports/{import_id}/start")

    assert started.status == 202 and started.body["status"] == "queued"
    assert again.status == 202 and again.body["status"] == "complete"
    assert api.operator("GET", f"/v1/admin/imports/{import_id}").body["imported"] == 3
    actions = [
        (i["action"]["S"], i["target"]["S"])
        for i in table_items()
        if i["pk"]["S"].startswith("AUDITLOG#")
    ]
    assert actions.count(("import.create", f"import:{import_id}")) == 1
    assert actions.count(("import.start", f"import:{import_id}")) == 1


def test_a_file_without_the_header_is_refused_and_changes_nothing(imports_api: Api) -> None:
    before = table_items()
    res = post_csv(imports_api, "id,points\nm-1,10\n")
    assert (res.status, res.code) == (422, "validation_error")
    assert table_items() == before


def test_rejected_rows_come_in_pages(imports_api: Api) -> None:
    api = imports_api
    import_id = post_csv(api, csv_of([f"r-{i},,,,x," for i in range(5)])).body["import_id"]

    first = api.operator("GET", f"/v1/admin/imports/{import_id}?limit=3").body
    rest = api.operator(
        "GET", f"/v1/admin/imports/{import_id}?limit=3&cursor={first['next_cursor']}"
    ).body

    assert [r["row"] for r in first["rejected"]] == [2, 3, 4]
    assert [r["row"] for r in rest["rejected"]] == [5, 6] and rest["next_cursor"] is None
    unknown = api.operator("GET", "/v1/admin/imports/imp-nope")
    assert (unknown.status, unknown.code) == (404, "import_not_found")


def test_the_sweep_runs_on_an_import_left_without_a_checkpoint(
    imports_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from shared import clock
    from shared.imports import service

    api = imports_api
    monkeypatch.setattr(background, "start", lambda payload, run: None)  # its start is lost
    import_id = post_csv(api, csv_of(good_rows(10, "swept"))).body["import_id"]

    soon = service.resume_stalled(clock.now() + timedelta(minutes=1))
    assert soon["processed"] == 0  # not stalled yet: its run may still be on its way
    later = service.resume_stalled(clock.now() + timedelta(minutes=6))

    assert later["processed"] == 1
    got = api.operator("GET", f"/v1/admin/imports/{import_id}").body
    assert (got["status"], got["imported"]) == ("complete", 10)
    assert service.resume_stalled(clock.now() + timedelta(minutes=60))["stalled"] == 0


def test_a_second_run_cannot_move_the_checkpoint_the_first_one_moved(
    imports_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    import msgspec

    monkeypatch.setattr(background, "start", lambda payload, run: None)
    import_id = post_csv(imports_api, csv_of(good_rows(3, "race"))).body["import_id"]
    read = repo.load(import_id)
    assert read is not None

    first = msgspec.structs.replace(read, offset=10, ver=read.ver + 1)
    second = msgspec.structs.replace(read, offset=20, ver=read.ver + 1)

    assert repo.save(first, read.ver) is True
    assert repo.save(second, read.ver) is False
    assert repo.load(import_id).offset == 10
