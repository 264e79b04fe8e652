"""The table and the media bucket match resources.TABLE and keep data safe."""

from __future__ import annotations

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template
from chalicelib.core import resources

from infra.constructs.storage import Storage
from tests.infra import released_indexes
from tests.infra.conftest import Synthesized, empty_stack

pytestmark = pytest.mark.infra

TABLE = resources.TABLE


def _key_schema(partition_key: str, sort_key: str) -> list[dict[str, str]]:
    return [{"AttributeName": partition_key, "KeyType": "HASH"}, {"AttributeName": sort_key, "KeyType": "RANGE"}]


def test_table_matches_the_definition(synthesized: Synthesized) -> None:
    # Given the synthesized app
    tables = synthesized.of_type("AWS::DynamoDB::Table")

    # Then there is one table, keyed, indexed and expiring as resources.TABLE says
    assert len(tables) == 1
    (table,) = tables.values()
    properties = table["Properties"]
    assert properties["TableName"] == TABLE.physical_name(synthesized.app_name)
    assert properties["KeySchema"] == _key_schema(TABLE.partition_key, TABLE.sort_key)
    assert sorted(properties["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        ({"AttributeName": name, "AttributeType": "S"} for name in TABLE.string_attributes),
        key=lambda a: a["AttributeName"])
    assert properties["TimeToLiveSpecification"] == {"AttributeName": TABLE.ttl_attribute, "Enabled": True}
    assert {index["IndexName"]: (index["KeySchema"], index["Projection"])
            for index in properties["GlobalSecondaryIndexes"]} == {
        index.name: (_key_schema(index.partition_key, index.sort_key), index.projection())
        for index in TABLE.indexes}


def test_a_deploy_adds_or_deletes_at_most_one_index_of_the_last_release(synthesized: Synthesized) -> None:
    # Given the table's indexes now, and those of the last release (tests/infra/released_indexes.py)
    (table,) = synthesized.of_type("AWS::DynamoDB::Table").values()
    now = {index["IndexName"]: {"KeySchema": index["KeySchema"], "Projection": index["Projection"]}
           for index in table["Properties"]["GlobalSecondaryIndexes"]}
    released = released_indexes.released()
    # Then no index changes its keys or projection in place (CloudFormation cannot: a new name, a
    # deploy, then the old one removed in the next)
    changed = sorted(name for name in now.keys() & released.keys() if now[name] != released[name])
    assert not changed, f"indexes changed in place: {changed}"
    # And at most one index comes or goes (CloudFormation's limit per stack update); more would fail
    # `cdk deploy` on every installation of the last release: split them over releases
    added, deleted = sorted(now.keys() - released.keys()), sorted(released.keys() - now.keys())
    assert len(added) + len(deleted) <= 1, f"indexes added {added} and deleted {deleted} in one deploy"


def test_table_is_on_demand_recoverable_encrypted_and_retained(synthesized: Synthesized) -> None:
    # Given the synthesized app
    (table,) = synthesized.of_type("AWS::DynamoDB::Table").values()

    # Then
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}  # AWS managed key
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True


def test_storage_construct_alone() -> None:
    # Given the storage construct in an empty stack
    stack = empty_stack()
    logs = s3.Bucket(stack, "Logs")
    Storage(stack, "Storage", app_name="unit", table=TABLE, access_logs=logs)

    # When
    template = Template.from_stack(stack)

    # Then the table carries the definition's name and every index
    template.has_resource_properties("AWS::DynamoDB::Table", {
        "TableName": TABLE.physical_name("unit"),
        "GlobalSecondaryIndexes": Match.array_with([Match.object_like({"IndexName": index.name})
                                                    for index in TABLE.indexes]),
    })
    # And the media bucket is private, encrypted, unversioned and logged, and lets the web app
    # POST attachments as presigned forms and GET media from its own origin (CORS), and nothing else
    template.has_resource("AWS::S3::Bucket", {
        "Properties": {
            "BucketEncryption": Match.any_value(),
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                               "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
            "LoggingConfiguration": Match.object_like({"LogFilePrefix": "media/"}),
            "VersioningConfiguration": Match.absent(),
            "CorsConfiguration": {"CorsRules": [Match.object_like({
                "AllowedMethods": ["POST", "GET"], "AllowedHeaders": ["content-type"]})]},
        },
        "DeletionPolicy": "Retain",
    })
    # And only TLS requests reach the bucket
    template.has_resource_properties("AWS::S3::BucketPolicy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])},
    })
