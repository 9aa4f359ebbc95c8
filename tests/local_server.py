"""The local server as a subprocess, for the tests that talk to it over HTTP (the browser
tests, the fuzzing): started on a free port, in memory, on a table of its own in the
session's DynamoDB Local, and a small JSON client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_json(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """(status, decoded JSON body) of one request; an error status is returned, not raised."""
    hdrs = {"content-type": "application/json", "accept": "application/json", **(headers or {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, hdrs, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@contextmanager
def local_server(
    endpoint: str, table_prefix: str, log_path: Path, *args: str
) -> Iterator[tuple[str, str]]:
    """``python -m local.server --in-memory [args]`` on a free port and a fresh table
    ``<table_prefix>-<hex>`` at the DynamoDB Local ``endpoint``, its output in ``log_path``;
    yields (base URL, table name) once ``/v1/health`` answers, and stops it at the end."""
    port, table = free_port(), f"{table_prefix}-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DYNAMODB_ENDPOINT": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        # Imports' and exports' jobs finish inside the request that starts them, so a test's
        # next request (and its before/after snapshot) never races a job's thread.
        "BACKGROUND_JOBS": "inline",
    }
    cmd = [sys.executable, "-m", "local.server", "--port", str(port), "--in-memory", *args]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*cmd, "--table", table], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/v1/health", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"the local server did not start: see {log_path}\n"
                            + log_path.read_text(errors="replace")[-4000:]
                        ) from None
                    time.sleep(0.2)
            yield base, table
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
