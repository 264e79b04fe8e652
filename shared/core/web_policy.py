"""The security headers the agents' web app is served with: one definition for CloudFront's
response headers policy (``infra/constructs/web.py``) and the local runtime's static server
(``local/runtime.py``), so both serve the app alike.

The Content-Security-Policy lets the app load only its own scripts and styles (no inline script,
no eval), talk only to its own origin and the media bucket (presigned uploads and downloads), and
never be framed; a customer's text or file name that slipped through as markup could run nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

# The media bucket's presigned URLs in AWS (regional and global S3 endpoints).
AWS_MEDIA_ORIGINS = ("https://*.amazonaws.com",)
# The WebSocket API that pushes changes (wss://<api>.execute-api.<region>.amazonaws.com; docs/push.md).
AWS_PUSH_ORIGINS = ("wss://*.amazonaws.com",)
REFERRER_POLICY = "strict-origin-when-cross-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS_SECONDS = 63_072_000  # two years


def content_security_policy(media_origins: Sequence[str], push_origins: Sequence[str] = ()) -> str:
    media = " ".join(["'self'", "blob:", "data:", *media_origins])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {media}",
        f"media-src {media}",
        f"connect-src 'self' {' '.join([*media_origins, *push_origins])}".rstrip(),
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def web_headers(media_origins: Sequence[str], push_origins: Sequence[str] = ()) -> dict[str, str]:
    """The headers every web app answer carries (HSTS is CloudFront's alone: the local server is
    plain http)."""
    return {
        "Content-Security-Policy": content_security_policy(media_origins, push_origins),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
