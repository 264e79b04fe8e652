"""Agents' uploads: a content type is a bare type/subtype (no parameters), and a media link opened
by itself is a download, served as the type that was checked."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
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
