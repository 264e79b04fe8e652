"""Answer S3 CORS preflights for presigned URLs as S3 does.

The web app PUTs attachments straight to a presigned URL, so the browser first sends an
``OPTIONS`` preflight to the same URL, without the ``Content-Type`` header the signature names.
S3 answers a preflight from the bucket's CORS rules alone; moto checks the presigned URL's
headers first and refuses it (403 SignatureDoesNotMatch), so no upload could start locally.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.s3.responses import S3Response

_MARKER = "_contact_preflight"


def answer_preflights_from_cors_rules() -> None:
    """Let moto skip the presigned-header check for OPTIONS requests (idempotent)."""
    checked = S3Response._invalid_headers
    if getattr(checked, _MARKER, False):
        return

    @functools.wraps(checked)
    def _invalid_headers(self: S3Response, url: str, headers: dict[str, str]) -> Any:
        if getattr(self, "method", None) == "OPTIONS":
            return False
        return checked(self, url, headers)

    setattr(_invalid_headers, _MARKER, True)
    S3Response._invalid_headers = _invalid_headers  # type: ignore[method-assign]
