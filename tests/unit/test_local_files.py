"""The local server's stand-in for presigned S3 URLs: a signed URL reads or writes one file,
with its method, until it expires; anything else is 403 and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from local.gateway import Gateway
from local.server import LocalApp
from local.tokens import TokenSigner
from shared import clock, files


@pytest.fixture
def app(tmp_path, monkeypatch: pytest.MonkeyPatch) -> LocalApp:
    monkeypatch.delenv(files.ENV_FILES_BUCKET, raising=False)
    monkeypatch.setenv(files.ENV_FILES_DIR, str(tmp_path))
    clock.pin(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    yield LocalApp(Gateway(TokenSigner("local-files-test-secret-0123456789")), web_dist=None)
    clock.release()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_an_upload_url_takes_the_file_and_a_download_url_gives_it_back(app: LocalApp) -> None:
    put = app.handle("PUT", path_of(files.upload_url("imports/a.csv", 60)), {}, b"h\n1\n")
    got = app.handle("GET", path_of(files.download_url("imports/a.csv")), {}, b"")

    assert put[0] == 200
    assert got[0] == 200 and got[2] == b"h\n1\n"
    assert got[1]["content-type"].startswith("text/csv")


def test_a_url_is_good_for_its_method_key_and_time_only(app: LocalApp) -> None:
    upload = path_of(files.upload_url("imports/a.csv", 60))
    download = path_of(files.download_url("exports/x.csv", 60))

    assert app.handle("GET", upload, {}, b"")[0] == 403  # a PUT URL does not read
    other_key = upload.replace("imports/a.csv", "imports/b.csv")
    assert app.handle("PUT", other_key, {}, b"x")[0] == 403
    assert app.handle("PUT", "/local/files/imports/a.csv", {}, b"x")[0] == 403  # unsigned
    assert app.handle("GET", download, {}, b"")[0] == 404  # signed, but nothing there yet
    clock.pin(datetime(2026, 11, 30, 8, 1, 1, tzinfo=UTC))
    assert app.handle("PUT", upload, {}, b"x")[0] == 403  # expired
    assert files.size("imports/a.csv") is None and files.size("imports/b.csv") is None
