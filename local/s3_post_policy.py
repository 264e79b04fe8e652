"""Make moto check a browser's POST upload against its signed policy, as S3 does.

The web app uploads a file with a presigned POST: a multipart form whose ``policy`` the API signed
(Signature Version 4) and whose conditions bind the key, the Content-Type and the size
(``content-length-range``). S3 refuses the upload (403) when the signature does not match the
policy, the policy has expired, a form field breaks a condition or is not covered by one, or the
file's size is out of the range. moto 5 stores whatever a POST brings, so locally a file larger
than declared, or of another type, would be stored: here each POST that carries a policy is
checked first, with the same rules. (The rules as AWS documents them for "Creating a POST policy";
the signing key is derived from the local runtime's secret key, the one the API signs with.)
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from moto.s3.responses import S3Response

_MARKER = "_contact_post_policy"
ALGORITHM = "AWS4-HMAC-SHA256"
# Form fields no condition has to name (AWS: the policy and signature themselves, the file, and x-ignore-*).
_EXEMPT = {"policy", "x-amz-signature", "file"}


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _condition_problem(condition: Any, fields: dict[str, str], size: int) -> str | None:
    if isinstance(condition, dict):
        for name, expected in condition.items():
            if fields.get(name.lower()) != str(expected):
                return f"the field {name} must be {expected!r}"
        return None
    if isinstance(condition, list) and len(condition) == 3:
        operator, name, value = condition
        if operator == "content-length-range":
            if not int(name) <= size <= int(value):
                return f"the file is {size} bytes; the policy allows {name} to {value}"
            return None
        field = str(name).removeprefix("$").lower()
        if operator == "eq" and fields.get(field) != str(value):
            return f"the field {field} must be {value!r}"
        if operator == "starts-with" and not fields.get(field, "").startswith(str(value)):
            return f"the field {field} must start with {value!r}"
        if operator in {"eq", "starts-with"}:
            return None
    return f"the policy has a condition S3 would not accept: {condition!r}"


def _covered(condition: Any) -> set[str]:
    if isinstance(condition, dict):
        return {name.lower() for name in condition}
    if isinstance(condition, list) and len(condition) == 3 and condition[0] != "content-length-range":
        return {str(condition[1]).removeprefix("$").lower()}
    return set()


def policy_problem(form: dict[str, str], bucket: str, size: int, secret: str,
                   now: datetime | None = None) -> str | None:
    """Why S3 would refuse this POST upload (``form``: its fields but the file), or None."""
    fields = {name.lower(): value for name, value in form.items()}
    try:
        encoded = fields["policy"]
        credential = fields["x-amz-credential"]
        signature = fields["x-amz-signature"]
        policy = json.loads(base64.b64decode(encoded))
    except (KeyError, ValueError):
        return "a POST upload needs a policy, its signature and the credential"
    if fields.get("x-amz-algorithm") != ALGORITHM:
        return f"the signature must be {ALGORITHM}"
    try:
        _access_key, day, region, service, _terminal = credential.split("/")
    except ValueError:
        return "the credential is not <key>/<date>/<region>/s3/aws4_request"
    expected = hmac.new(_signing_key(secret, day, region, service), encoded.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "the signature does not match the policy"
    expiration = datetime.fromisoformat(str(policy.get("expiration", "")).replace("Z", "+00:00"))
    if (now or datetime.now(UTC)) >= expiration:
        return "the policy has expired"
    conditions = policy.get("conditions") or []
    fields.setdefault("bucket", bucket)
    for condition in conditions:
        problem = _condition_problem(condition, fields, size)
        if problem:
            return problem
    named = set().union(*(_covered(condition) for condition in conditions)) | {"bucket"}
    extra = sorted(name for name in fields if name not in named and name not in _EXEMPT
                   and not name.startswith("x-ignore-"))
    if extra:
        return f"no condition of the policy covers the field {extra[0]}"
    return None


def _refusal(message: str) -> tuple[int, dict[str, str], str]:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
            f"<Message>Invalid according to Policy: {escape(message)}</Message></Error>")
    return 403, {"Content-Type": "application/xml"}, body


def enforce_post_policies() -> None:
    """Check every POST upload that carries a policy before moto stores it (idempotent)."""
    unchecked = S3Response._bucket_response_post
    if getattr(unchecked, _MARKER, False):
        return

    @functools.wraps(unchecked)
    def _bucket_response_post(self: S3Response, request: Any, bucket_name: str) -> Any:
        form = {str(name): str(value) for name, value in (self.form_data or {}).items() if name != "file"}
        if "policy" in {name.lower() for name in form}:
            body = self.raw_body if isinstance(self.raw_body, bytes) else str(self.raw_body or "").encode()
            problem = policy_problem(form, bucket_name, len(body), os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"))
            if problem:
                return _refusal(problem)
        return unchecked(self, request, bucket_name)

    setattr(_bucket_response_post, _MARKER, True)
    S3Response._bucket_response_post = _bucket_response_post  # type: ignore[method-assign]
