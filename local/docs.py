"""``GET /local/docs``: the API's routes as one plain HTML page, rendered from the OpenAPI
document (``shared/openapi.py``). No scripts, no CDN: it works offline."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from shared.openapi import document

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f3f3f3}code{font-size:12px}
.m{font-weight:bold}details pre{white-space:pre-wrap;max-width:60em;font-size:12px}
"""


def _schema(value: Any) -> str:
    return escape(json.dumps(value, indent=1, ensure_ascii=False))


def page() -> str:
    doc = document()
    rows = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            roles = ", ".join(op["x-roles"]) or "public"
            statuses = ", ".join(op["responses"])
            params = ", ".join(f"{p['name']} ({p['in']})" for p in op.get("parameters", []))
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            detail = ""
            if body:
                detail = (
                    f"<details><summary>body</summary><pre>{_schema(body.get('schema'))}</pre>"
                    f"<p>example</p><pre>{_schema(body.get('example'))}</pre></details>"
                )
            rows.append(
                f"<tr><td class=m>{method.upper()}</td><td><code>{escape(path)}</code></td>"
                f"<td>{escape(roles)}</td><td>{escape(op['summary'])}{detail}</td>"
                f"<td>{escape(params)}</td><td>{escape(statuses)}</td></tr>"
            )
    info = doc["info"]
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info['title'])} {escape(info['version'])}</h1>"
        f"<p>{escape(info['description'])}</p>"
        '<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1). '
        "Tokens: <code>POST /local/token</code>.</p>"
        "<table><tr><th>method</th><th>path</th><th>roles</th><th>what</th>"
        "<th>parameters</th><th>statuses</th></tr>" + "".join(rows) + "</table></body></html>"
    )
