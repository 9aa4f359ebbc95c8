"""Local mode's stand-in for S3's presigned URLs: ``GET|PUT /local/files/<key>?expires=&sig=``.

shared/files.py signs these URLs (HMAC of method, key and expiry, under a key of this
process) when ``FILES_BUCKET`` is not set; this module checks them and reads or writes the
file under ``FILES_DIR`` (the server sets ``.local/files``). A URL for PUT cannot GET, a URL
for one key cannot reach another, an expired one is refused (403), as with S3.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote

from shared import files

Reply = tuple[int, dict[str, str], bytes]


def _error(status: int, code: str, message: str) -> Reply:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return status, {"content-type": "application/json"}, body


def serve(method: str, raw_path: str, body: bytes) -> Reply:
    path, _, query = raw_path.partition("?")
    key = unquote(path.removeprefix(files.LOCAL_PREFIX))
    params = {name: values[0] for name, values in parse_qs(query).items()}
    if method not in ("GET", "PUT"):
        return _error(405, "method_not_allowed", "files take GET and PUT only")
    expires, sig = params.get("expires", ""), params.get("sig", "")
    if not files.verify_local_url(method, key, expires, sig):
        return _error(403, "forbidden", "the URL is not signed for this, or it has expired")
    if method == "PUT":
        files.put_bytes(key, body)
        return 200, {"content-type": "application/json"}, b"{}"
    target = files.local_path(key)
    if not target.is_file():
        return _error(404, "not_found", "no such file")
    kind = "text/csv; charset=utf-8" if key.endswith(".csv") else "application/octet-stream"
    name = key.rsplit("/", 1)[-1]
    headers = {"content-type": kind, "content-disposition": f'attachment; filename="{name}"'}
    return 200, headers, target.read_bytes()
