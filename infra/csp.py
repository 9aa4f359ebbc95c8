"""The web apps' Content-Security-Policy, as text: no CDK imports, so the CloudFront
response-headers policy (infra/constructs/site.py) and the local server (local/web.py) send
the same policy, and the browser tests see a breach the deployed site would have."""

from __future__ import annotations


def content_security_policy(auth_origin: str = "", file_store_origin: str = "") -> str:
    """The CSP for both apps. Scripts only from the site itself (vite emits no inline
    script); inline styles allowed because Vue's static-content hoisting and Vant / Element
    Plus / ECharts write ``style`` attributes; images also from https (catalog items carry
    an ``image_url``); fetches to the site (API under /v1) and, on AWS, the Cognito token
    endpoint ``auth_origin`` and the file store's bucket ``file_store_origin`` (the console
    PUTs a members import to its presigned URL); neither exists in local mode, where the
    token and the signed file URLs are on the site's own origin."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: https:",
        "font-src": "'self' data:",
        "connect-src": " ".join(s for s in ("'self'", auth_origin, file_store_origin) if s),
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())
