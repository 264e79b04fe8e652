"""Every bucket of the stack is private: encrypted, no public access, TLS only."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_s3 as s3
from constructs import Construct


def private_bucket(scope: Construct, construct_id: str, **properties: Any) -> s3.Bucket:
    """An S3-encrypted bucket that blocks public access and refuses plain HTTP."""
    return s3.Bucket(
        scope, construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        **properties,
    )
