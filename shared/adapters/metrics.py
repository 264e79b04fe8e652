"""Business figures as CloudWatch metrics (Powertools Metrics, embedded metric format).

Each figure is one EMF line in the function's log, which CloudWatch turns into a metric of the
namespace the stack sets (``POWERTOOLS_METRICS_NAMESPACE``) with the given dimensions; no
CloudWatch API call, no flush step.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric

DEFAULT_NAMESPACE = "OpenContact"
SEND_FAILURES = "SendFailures"


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Add ``value`` to the metric ``name`` of these dimensions."""
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=namespace) as metric:
        for dimension, dimension_value in dimensions.items():
            metric.add_dimension(name=dimension, value=dimension_value)


class SendFailureFigures:
    """``SendFailures`` by channel and failure class (transient, permanent, retries_exhausted): an
    alarm or a dashboard can tell a provider outage (transient) from refused content (permanent)."""

    def send_failed(self, channel: str, failure_class: str, code: str) -> None:
        count(SEND_FAILURES, channel=channel, failure_class=failure_class)
