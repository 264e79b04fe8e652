"""The local runtime's resources, as moto holds them, agree with the synthesized template.

Both are built from ``chalicelib.core.resources``; this compares what each side actually produced, so
a change to one builder that the other does not follow fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local.provision import LocalResources, provision
from local.runtime import free_port
from tests.infra.conftest import Synthesized, join

pytestmark = pytest.mark.infra

REGION = "us-east-1"


@pytest.fixture(scope="module")
def local_resources(synthesized: Synthesized, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[LocalResources]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch_module.setenv(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield provision(f"http://127.0.0.1:{port}", REGION, synthesized.app_name)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _client(local: LocalResources, service: str) -> Any:
    return boto3.client(service, endpoint_url=local.endpoint_url, region_name=REGION)  # type: ignore[call-overload]


def _key_schema(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in schema]


def _projection(projection: dict[str, Any]) -> tuple[str, list[str]]:
    return projection["ProjectionType"], sorted(projection.get("NonKeyAttributes", []))


def test_local_table_has_the_template_keys_indexes_ttl_and_recovery(
        synthesized: Synthesized, local_resources: LocalResources) -> None:
    # Given the template's table and the table moto holds
    (template_table,) = synthesized.of_type("AWS::DynamoDB::Table").values()
    expected = template_table["Properties"]
    dynamodb = _client(local_resources, "dynamodb")
    table = dynamodb.describe_table(TableName=local_resources.table_name)["Table"]

    # Then name, keys, attribute types and indexes agree
    assert table["TableName"] == expected["TableName"]
    assert _key_schema(table["KeySchema"]) == _key_schema(expected["KeySchema"])
    assert sorted((a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]) == sorted(
        (a["AttributeName"], a["AttributeType"]) for a in expected["AttributeDefinitions"])
    assert {index["IndexName"]: (_key_schema(index["KeySchema"]), _projection(index["Projection"]))
            for index in table["GlobalSecondaryIndexes"]} == {
        index["IndexName"]: (_key_schema(index["KeySchema"]), _projection(index["Projection"]))
        for index in expected["GlobalSecondaryIndexes"]}
    # And the TTL attribute and point-in-time recovery too
    ttl = dynamodb.describe_time_to_live(TableName=local_resources.table_name)["TimeToLiveDescription"]
    assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == (
        expected["TimeToLiveSpecification"]["AttributeName"], "ENABLED")
    backups = dynamodb.describe_continuous_backups(TableName=local_resources.table_name)
    recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    assert expected["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_local_queues_have_the_template_attributes_and_redrive(
        synthesized: Synthesized, local_resources: LocalResources) -> None:
    # Given every queue of the template built from shared/resources.py, by name (the email channel's
    # undelivered-notification queue belongs to SES and SNS, which the local runtime stands in for)
    queues = synthesized.stack.queues
    defined = {synthesized.logical_id(queue)
               for queue in (*queues.queues.values(), *queues.dead_letter_queues.values())}
    template_queues = {queue["Properties"]["QueueName"]: (logical_id, queue["Properties"])
                       for logical_id, queue in synthesized.of_type("AWS::SQS::Queue").items()
                       if logical_id in defined}
    names_by_id = {logical_id: name for name, (logical_id, _) in template_queues.items()}
    sqs = _client(local_resources, "sqs")
    local_urls = {**local_resources.queue_urls, **{f"{key}-dlq": url for key, url in local_resources.dlq_urls.items()}}

    # Then moto holds exactly those queues
    local_by_name = {url.rsplit("/", 1)[-1]: url for url in local_urls.values()}
    assert sorted(local_by_name) == sorted(template_queues)
    # And each has the template's attributes and redrive policy
    for name, (_, expected) in template_queues.items():
        attributes = sqs.get_queue_attributes(QueueUrl=local_by_name[name], AttributeNames=["All"])["Attributes"]
        assert attributes.get("FifoQueue", "false") == str(expected.get("FifoQueue", False)).lower(), name
        for attribute in ("VisibilityTimeout", "MessageRetentionPeriod"):
            if attribute in expected:
                assert attributes[attribute] == str(expected[attribute]), (name, attribute)
        if "ContentBasedDeduplication" in expected:
            assert attributes["ContentBasedDeduplication"] == str(expected["ContentBasedDeduplication"]).lower()
        for attribute in ("DeduplicationScope", "FifoThroughputLimit"):
            if attribute in expected:
                assert attributes.get(attribute) == expected[attribute], (name, attribute)
        if "RedrivePolicy" in expected:
            redrive = json.loads(attributes["RedrivePolicy"])
            template_dlq = names_by_id[expected["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]]
            assert redrive["deadLetterTargetArn"].rsplit(":", 1)[-1] == template_dlq, name
            assert int(redrive["maxReceiveCount"]) == expected["RedrivePolicy"]["maxReceiveCount"], name
        else:
            assert "RedrivePolicy" not in attributes, name


def test_local_state_machines_run_the_template_definitions(
        synthesized: Synthesized, local_resources: LocalResources) -> None:
    # Given the template's machines and the machines moto holds
    template_machines = {machine["Properties"]["StateMachineName"]: machine["Properties"]
                         for machine in synthesized.of_type("AWS::StepFunctions::StateMachine").values()}
    sfn = _client(local_resources, "stepfunctions")

    # Then each local machine has a template twin with the same ASL
    assert len(local_resources.state_machine_arns) == len(template_machines)
    for arn in local_resources.state_machine_arns.values():
        described = sfn.describe_state_machine(stateMachineArn=arn)
        expected = template_machines[described["name"]]
        assert json.loads(described["definition"]) == json.loads(join(expected["DefinitionString"]))
