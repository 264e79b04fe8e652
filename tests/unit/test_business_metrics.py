"""Workers report business figures as CloudWatch embedded-metric-format lines."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from chalice.local import LambdaContext
from chalicelib import wiring
from chalicelib.adapters.metrics import SendFailureFigures
from chalicelib.api import business_metrics, workers
from chalicelib.domain.models import DeliveryStatus, OutboundRequest

pytestmark = pytest.mark.unit


def _emf_lines(output: str) -> list[dict[str, Any]]:
    return [record for record in map(json.loads, filter(None, output.splitlines())) if "_aws" in record]


def _record(body: str) -> dict[str, Any]:
    return {"messageId": "m1", "receiptHandle": "h1", "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000",
                           "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1700000000001",
                           "MessageGroupId": "g1", "MessageDeduplicationId": "d1"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:open-contact-send.fifo", "awsRegion": "us-east-1"}


def test_a_figure_is_one_emf_line_in_the_configured_namespace(capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Acme")
    business_metrics.count(business_metrics.MESSAGES_IN, channel="sms")
    (line,) = _emf_lines(capsys.readouterr().out)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Acme"
    assert directive["Metrics"] == [{"Name": "MessagesIn", "Unit": "Count"}]
    assert ["channel"] in [dimensions[-1:] for dimensions in directive["Dimensions"]]
    assert (line["MessagesIn"], line["channel"]) == ([1.0], "sms")


@pytest.mark.parametrize(("status", "outcome"), [(DeliveryStatus.SENT, "sent"), (DeliveryStatus.QUEUED, "retry"),
                                                 (DeliveryStatus.FAILED, "failed")])
def test_the_send_worker_counts_each_send_by_its_outcome(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         status: DeliveryStatus, outcome: str) -> None:
    # Given a dispatcher whose send ends with the status
    class Dispatcher:
        def send(self, request: OutboundRequest) -> DeliveryStatus:
            assert request.message_id == "msg-1"
            return status

    monkeypatch.setattr(wiring, "dispatcher", Dispatcher)
    event = {"Records": [_record(json.dumps({"conversation_id": "c1", "message_id": "msg-1"}))]}
    # When Lambda calls the send worker with a batch of one
    # (in Lambda the registered worker takes Lambda's event and context, not Chalice's SQSEvent)
    lambda_entry = cast(Any, workers.send_outbound)
    answer = lambda_entry(event, LambdaContext("open-contact-dev-send_outbound", memory_size=256))
    assert answer == {"batchItemFailures": []}
    # Then one Sends figure says how it ended
    (line,) = _emf_lines(capsys.readouterr().out)
    assert (line["Sends"], line["outcome"]) == ([1.0], outcome)


def test_a_send_failure_is_counted_by_channel_and_class(capsys: pytest.CaptureFixture[str]) -> None:
    # When the dispatcher reports a permanent failure of a WhatsApp send
    SendFailureFigures().send_failed("whatsapp", "permanent", "invalid_recipient")
    # Then one SendFailures figure carries the channel and the failure class
    (line,) = _emf_lines(capsys.readouterr().out)
    assert (line["SendFailures"], line["channel"], line["failure_class"]) == ([1.0], "whatsapp", "permanent")
