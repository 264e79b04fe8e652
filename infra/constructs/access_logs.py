"""The bucket that receives S3 server access logs and CloudFront standard logs."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .buckets import private_bucket
from .nag import acknowledge


class AccessLogs(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, retention_days: int) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self, "Bucket",
            # CloudFront standard logging writes with an ACL, so ACLs stay enabled (owner preferred).
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(retention_days))],
        )
        acknowledge(self.bucket, "S1",
                    "This bucket is the access-log destination itself; logging its own access would loop.")
