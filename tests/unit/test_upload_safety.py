"""Agents' uploads: a content type is a bare type/subtype (no parameters), a media link opened
by itself is a download, served as the type that was checked, and an upload is a presigned POST
whose policy binds the declared size and type (which the local bucket enforces as S3 does)."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from chalicelib.adapters.media import MediaStore
from chalicelib.api.schemas.inputs import UploadInput
from chalicelib.domain.models import Attachment
from pydantic import ValidationError


@pytest.mark.parametrize("content_type", ["image/png; name=x.html", "text/html;charset=utf-8", "image/png\r\nX: y",
                                          "image", "/png"])
def test_an_upload_type_with_parameters_or_no_subtype_is_refused(content_type):
    with pytest.raises(ValidationError):
        UploadInput(filename="a.png", content_type=content_type, size=10)
    assert UploadInput(filename="a.png", content_type="image/png", size=10).content_type == "image/png"


def test_a_media_link_is_a_download_of_the_checked_type():
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    url = MediaStore("media", client=lambda: client).signed_url(
        Attachment(key="uploads/c1/t/a.png", content_type="image/png", filename="a.png", size=10))
    query = parse_qs(urlsplit(url).query)
    assert query["response-content-disposition"] == ["attachment"]
    assert query["response-content-type"] == ["image/png"]


def _form(size: int = 10, content_type: str = "image/png") -> tuple[str, dict[str, str]]:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s",
                          config=Config(signature_version="s3v4"))
    form = MediaStore("media", client=lambda: client).upload_form("uploads/c1/t/a.png", content_type, size)
    return form.url, dict(form.fields)


def test_an_upload_form_binds_the_key_the_type_and_exactly_the_declared_size_with_signature_version_4():
    # Given the presigned POST for a 10-byte PNG
    _, fields = _form(10)
    policy = json.loads(base64.b64decode(fields["policy"]))

    # Then its policy takes exactly 10 bytes of image/png at that key, and is signed with SigV4
    assert ["content-length-range", 10, 10] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": "uploads/c1/t/a.png"} in policy["conditions"]
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert fields["Content-Type"] == "image/png"


@pytest.mark.parametrize(("change", "size", "problem"), [
    ({}, 11, "the file is 11 bytes"),
    ({}, 9, "the file is 9 bytes"),
    ({"Content-Type": "text/html"}, 10, "Content-Type"),
    ({"key": "uploads/c2/t/a.png"}, 10, "key"),
    ({"x-amz-meta-extra": "1"}, 10, "no condition of the policy covers the field x-amz-meta-extra"),
    ({"x-amz-signature": "0" * 64}, 10, "signature does not match"),
])
def test_the_local_bucket_refuses_a_post_that_breaks_its_policy_as_s3_does(change, size, problem):
    from local.s3_post_policy import policy_problem

    # Given the presigned POST for a 10-byte PNG (signed with the secret "s")
    _, fields = _form(10)
    # Then the form as issued passes, and each breach of the policy is refused, saying which
    assert policy_problem(fields, "media", 10, "s") is None
    assert problem in (policy_problem({**fields, **change}, "media", size, "s") or "")


def test_the_local_bucket_refuses_an_expired_policy():
    from datetime import UTC, datetime, timedelta

    from local.s3_post_policy import policy_problem

    _, fields = _form(10)
    later = datetime.now(UTC) + timedelta(hours=1)
    assert policy_problem(fields, "media", 10, "s", now=later) == "the policy has expired"
