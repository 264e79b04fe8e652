"""The media bucket: presigned uploads for agents, presigned downloads for providers and agents.

The bucket is private; every access is a short-lived signed URL. Clients are created lazily
and honour ``AWS_ENDPOINT_URL`` (moto locally).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import ClientError

from .settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

UPLOAD_URL_SECONDS = 900
DOWNLOAD_URL_SECONDS = 3600


@lru_cache(maxsize=1)
def s3_client() -> S3Client:
    return boto3.client("s3")


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str


class MediaStore:
    def __init__(self, settings: Settings) -> None:
        self._bucket = settings.media_bucket

    def upload_url(self, key: str, content_type: str) -> str:
        """A PUT URL for one object; the signature covers the content type, so the upload must
        send the same Content-Type header."""
        return s3_client().generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=UPLOAD_URL_SECONDS)

    def download_url(self, key: str) -> str:
        return s3_client().generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=DOWNLOAD_URL_SECONDS)

    def head(self, key: str) -> StoredObject | None:
        """Size and type of an uploaded object, as S3 stored them (not as the client claimed)."""
        try:
            response = s3_client().head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return StoredObject(size=int(response.get("ContentLength", 0)),
                            content_type=str(response.get("ContentType", "application/octet-stream")))
