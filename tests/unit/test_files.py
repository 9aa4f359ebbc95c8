"""The file store: same behaviour on a directory (local mode) and on S3 (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from shared import clock, files


@pytest.fixture(params=["dir", "s3"])
def store(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    monkeypatch.delenv(files.ENV_FILES_BUCKET, raising=False)
    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path / "files"))
    files.reset()
    if request.param == "dir":
        yield "dir"
        return
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="files-test")
        monkeypatch.setenv(files.ENV_FILES_BUCKET, "files-test")
        files.reset()
        yield "s3"
    files.reset()


def test_lines_come_back_with_the_offset_after_each(store: str) -> None:
    files.put_bytes("imports/a.csv", b"h1,h2\r\nx,1\n\ny,2")

    lines = list(files.read_lines("imports/a.csv"))

    assert lines == [(7, b"h1,h2"), (11, b"x,1"), (12, b""), (15, b"y,2")]


def test_a_read_resumes_at_an_offset_it_gave(store: str) -> None:
    body = b"".join(b"row-%05d\n" % i for i in range(20_000))  # > one 64 KiB chunk
    files.put_bytes("imports/big.csv", body)
    first = list(files.read_lines("imports/big.csv"))
    offset_after_12345 = first[12345][0]

    resumed = list(files.read_lines("imports/big.csv", start_byte=offset_after_12345))

    assert resumed[0] == (offset_after_12345 + 10, b"row-12346")
    assert resumed == first[12346:]
    assert list(files.read_lines("imports/big.csv", start_byte=len(body))) == []


def test_a_writer_stores_only_when_its_block_succeeds(store: str) -> None:
    with files.open_writer("exports/e.csv") as out:
        out.write(b"a\n")
        out.write(b"b\n")
    assert files.size("exports/e.csv") == 4

    with pytest.raises(RuntimeError), files.open_writer("exports/e.csv") as out:
        out.write(b"half")
        raise RuntimeError("crash")

    assert [line for _, line in files.read_lines("exports/e.csv")] == [b"a", b"b"]


def test_a_missing_file_is_reported(store: str) -> None:
    assert files.size("imports/none.csv") is None
    with pytest.raises(files.FileMissing):
        list(files.read_lines("imports/none.csv"))


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../x", "a/../../b", "a//b"])
def test_keys_cannot_leave_the_store(key: str) -> None:
    with pytest.raises(ValueError):
        files.put_bytes(key, b"x")


def test_s3_urls_are_presigned_for_the_method(store: str) -> None:
    if store != "s3":
        pytest.skip("S3 only")
    put = files.upload_url("imports/u.csv", ttl_s=60)
    get = files.download_url("imports/u.csv")
    assert "files-test" in put and "imports/u.csv" in put and "Signature" in put
    assert "X-Amz-Expires" in get or "Expires" in get
    # The regional virtual-hosted origin, the one the console's CSP allows (not the global
    # s3.amazonaws.com botocore would presign for).
    for url in (put, get):
        assert urlsplit(url).netloc == "files-test.s3.us-east-1.amazonaws.com"


def test_local_urls_are_signed_per_method_and_expire(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(files.ENV_FILES_BUCKET, raising=False)
    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path))
    monkeypatch.setenv(files.ENV_FILES_BASE_URL, "http://127.0.0.1:8123")
    clock.pin(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    try:
        url = urlsplit(files.upload_url("imports/u.csv", ttl_s=60))
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert url.netloc == "127.0.0.1:8123"
        assert url.path == "/local/files/imports/u.csv"

        assert files.verify_local_url("PUT", "imports/u.csv", query["expires"], query["sig"])
        assert not files.verify_local_url("GET", "imports/u.csv", query["expires"], query["sig"])
        assert not files.verify_local_url("PUT", "imports/v.csv", query["expires"], query["sig"])
        later = str(int(query["expires"]) + 1)
        assert not files.verify_local_url("PUT", "imports/u.csv", later, query["sig"])

        clock.pin(datetime(2026, 11, 30, 12, 1, 1, tzinfo=UTC))
        assert not files.verify_local_url("PUT", "imports/u.csv", query["expires"], query["sig"])
    finally:
        clock.release()
