"""The file store: imports uploaded by operators, exports the jobs write.

In AWS the files live in the stage's S3 bucket (env ``FILES_BUCKET``); in local mode and
tests in a directory (env ``FILES_DIR``; the local server uses ``.local/files``) that the
local server serves at ``/local/files/<key>?expires=&sig=`` with the same kind of signed,
time-limited URL S3 presigns. Keys are relative paths such as ``imports/<id>.csv`` or
``exports/<id>.csv``; they are built by the callers' use cases, never from request text.

Everything streams: :func:`open_writer` spools to a temporary file and hands it to S3's
managed (multipart) upload, :func:`read_lines` reads a byte range in chunks, so neither an
import nor an export holds a whole file in memory. boto3 is imported only on the S3 path.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote, urlencode

from shared import clock
from shared.settings import ENV_FILES_BUCKET, ENV_FILES_DIR

__all__ = ["ENV_FILES_BUCKET", "ENV_FILES_DIR", "FileMissing"]  # and the functions below
ENV_FILES_BASE_URL = "FILES_BASE_URL"  # local: where the server serves /local/files
ENV_FILES_URL_KEY = "FILES_URL_KEY"  # local: HMAC key of the signed URLs (hex)

LOCAL_PREFIX = "/local/files/"
_CHUNK = 1 << 16  # 64 KiB per read


class FileMissing(Exception):
    """No file under that key."""


def _check_key(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or key != str(path):
        raise ValueError(f"not a file key: {key!r}")
    return key


# -- backend selection -----------------------------------------------------------------


def _bucket() -> str | None:
    return os.environ.get(ENV_FILES_BUCKET) or None


def _root() -> Path:
    return Path(os.environ.get(ENV_FILES_DIR) or ".local/files")


@cache
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    from shared.settings import settings

    # SigV4 for the presigned URLs: botocore presigns with SigV2 in us-east-1 by default,
    # which buckets created since June 2020 refuse. Virtual-hosted on the regional endpoint
    # (https://<bucket>.s3.<region>.amazonaws.com, in us-east-1 too): the origin the console's
    # CSP allows (infra/constructs/files.py), and no redirect from the global endpoint, which
    # a browser's CORS preflight would not follow.
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
    )
    return boto3.client("s3", region_name=settings().region, config=config)


def reset() -> None:
    """Forget the cached S3 client (tests switch environments)."""
    _s3.cache_clear()


# -- writing ---------------------------------------------------------------------------


@contextmanager
def open_writer(key: str) -> Iterator[IO[bytes]]:
    """A binary file to write ``key`` through; stored when the block ends without error.

    Nothing is stored (and a previous file under the key stays) if the block raises.
    """
    _check_key(key)
    bucket = _bucket()
    if bucket is None:
        target = _root() / key
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".{secrets.token_hex(4)}.part")
        try:
            with partial.open("wb") as out:
                yield out
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return
    with tempfile.TemporaryFile() as spool:
        yield spool
        spool.seek(0)
        _s3().upload_fileobj(spool, bucket, key)  # multipart above 8 MB


def put_bytes(key: str, data: bytes) -> None:
    """Store ``data`` under ``key`` (replacing what was there)."""
    with open_writer(key) as out:
        out.write(data)


# -- reading ---------------------------------------------------------------------------


def _chunks(key: str, start_byte: int) -> Iterator[bytes]:
    bucket = _bucket()
    if bucket is None:
        try:
            source = (_root() / key).open("rb")
        except FileNotFoundError as missing:
            raise FileMissing(key) from missing
        with source:
            source.seek(start_byte)
            while chunk := source.read(_CHUNK):
                yield chunk
        return
    client = _s3()
    try:
        got = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start_byte}-")
    except client.exceptions.NoSuchKey as missing:
        raise FileMissing(key) from missing
    except client.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == "InvalidRange":
            return  # start_byte is at (or past) the end: nothing left to read
        raise
    body = got["Body"]
    try:
        while chunk := body.read(_CHUNK):
            yield chunk
    finally:
        body.close()


def read_lines(key: str, start_byte: int = 0) -> Iterator[tuple[int, bytes]]:
    """The lines of ``key`` from ``start_byte`` on, streamed, as ``(offset, line)``.

    ``offset`` is the byte offset just after the line (where a resumed read starts);
    ``line`` is without its ``\\n`` / ``\\r\\n``. A last line without a newline is yielded too.
    Raises :class:`FileMissing` when there is no such file.
    """
    _check_key(key)
    if start_byte < 0:
        raise ValueError("start_byte must be >= 0")
    offset = start_byte
    pending = b""
    for chunk in _chunks(key, start_byte):
        pending += chunk
        start = 0
        while (end := pending.find(b"\n", start)) >= 0:
            offset += end + 1 - start
            yield offset, pending[start:end].removesuffix(b"\r")
            start = end + 1
        pending = pending[start:]
    if pending:
        yield offset + len(pending), pending.removesuffix(b"\r")


def size(key: str) -> int | None:
    """The file's size in bytes, or None when there is no file under ``key``."""
    _check_key(key)
    bucket = _bucket()
    if bucket is None:
        try:
            return (_root() / key).stat().st_size
        except FileNotFoundError:
            return None
    client = _s3()
    try:
        return int(client.head_object(Bucket=bucket, Key=key)["ContentLength"])
    except client.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


# -- time-limited URLs -----------------------------------------------------------------


def download_url(key: str, ttl_s: int = 900) -> str:
    """A URL anyone holding it can GET the file from, for ``ttl_s`` seconds."""
    return _url("GET", key, ttl_s)


def upload_url(key: str, ttl_s: int = 900) -> str:
    """A URL anyone holding it can PUT the file's bytes to, for ``ttl_s`` seconds."""
    return _url("PUT", key, ttl_s)


def _url(method: str, key: str, ttl_s: int) -> str:
    _check_key(key)
    bucket = _bucket()
    if bucket is not None:
        operation = "get_object" if method == "GET" else "put_object"
        return str(
            _s3().generate_presigned_url(
                operation, Params={"Bucket": bucket, "Key": key}, ExpiresIn=ttl_s
            )
        )
    expires = int(clock.now().timestamp()) + ttl_s
    base = os.environ.get(ENV_FILES_BASE_URL, "http://127.0.0.1:8000").rstrip("/")
    query = urlencode({"expires": expires, "sig": _signature(method, key, expires)})
    return f"{base}{LOCAL_PREFIX}{quote(key)}?{query}"


@cache
def _url_key() -> bytes:
    configured = os.environ.get(ENV_FILES_URL_KEY)
    return bytes.fromhex(configured) if configured else secrets.token_bytes(32)


def _signature(method: str, key: str, expires: int) -> str:
    message = f"{method}\n{key}\n{expires}".encode()
    return hmac.new(_url_key(), message, hashlib.sha256).hexdigest()


def verify_local_url(method: str, key: str, expires: str, sig: str) -> bool:
    """Local server: is this a signed URL for ``method`` on ``key`` that has not expired?"""
    try:
        _check_key(key)
        deadline = int(expires)
    except ValueError:
        return False
    if deadline < clock.now().timestamp():
        return False
    return hmac.compare_digest(_signature(method, key, deadline), sig)


def local_path(key: str) -> Path:
    """Local mode: where the file under ``key`` lives (the local server serves it)."""
    return _root() / _check_key(key)
