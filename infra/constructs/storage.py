"""The single DynamoDB table (built from ``resources.TABLE``) and the media bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from chalicelib.core import resources
from chalicelib.core.resources import TableDefinition
from constructs import Construct

from .buckets import private_bucket


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, app_name: str, table: TableDefinition,
                 access_logs: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self, "Table",
            table_name=table.physical_name(app_name),
            partition_key=_string_key(table.partition_key),
            sort_key=_string_key(table.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            time_to_live_attribute=table.ttl_attribute,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # The table holds every conversation: deleting it takes switching this off first.
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in table.indexes:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string_key(index.partition_key),
                sort_key=_string_key(index.sort_key),
                projection_type=dynamodb.ProjectionType(index.projection_type),
                non_key_attributes=list(index.include) or None,
            )
        # Not versioned: purging a conversation must remove its media for good, and a delete in a
        # versioned bucket only adds a delete marker.
        self.media_bucket = private_bucket(
            self, "MediaBucket",
            versioned=False,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="media/",
            removal_policy=RemovalPolicy.RETAIN,
            # The web app POSTs agents' attachments straight to the bucket as presigned forms; the
            # signature is the authorisation (short-lived, one key, one type, one size), so any
            # origin may send it (resources.MEDIA_CORS_*, as the local runtime's bucket).
            # Finished exports are fetched within minutes of being built; a day later they are gone.
            lifecycle_rules=[s3.LifecycleRule(id="ExpireExports", prefix=resources.EXPORTS_PREFIX,
                                              expiration=Duration.days(resources.EXPORT_EXPIRY_DAYS))],
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods(method) for method in resources.MEDIA_CORS_METHODS],
                              allowed_origins=["*"], allowed_headers=list(resources.MEDIA_CORS_HEADERS),
                              max_age=resources.MEDIA_CORS_MAX_AGE_SECONDS)],
        )
