"""Alarms and the dashboard, built with cdk-monitoring-constructs: every alarm notifies one SNS topic.

What each alarm means and what to do about it: docs/operations.md (one runbook per alarm kind,
linked from each alarm's description).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cdk_monitoring_constructs as monitoring
from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .nag import acknowledge
from .naming import pascal

# The API's p99 latency that pages: well under API Gateway's 29 s, well over a normal request.
API_LATENCY_P99 = Duration.seconds(5)
# Errors in five minutes before an alarm: one is a bad record or a provider hiccup (it is retried);
# several is a fault.
FUNCTION_ERRORS = 5
API_5XX = 5


@dataclass(frozen=True)
class MonitoredQueue:
    queue: sqs.IQueue
    dead_letter_queue: sqs.IQueue
    # How old the oldest waiting record may get before someone is told the workers fall behind.
    max_age_seconds: int


@dataclass(frozen=True)
class MonitoredFunction:
    function: lambda_.IFunction
    timeout_seconds: int


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, app_name: str, alarm_email: str | None, runbook: str,
                 functions: Mapping[str, MonitoredFunction], queues: Mapping[str, MonitoredQueue],
                 rest_api: apigateway.IRestApi, api_stage: str, webhook_api: apigatewayv2.IHttpApi,
                 webhook_stage: str, table: dynamodb.ITable,
                 state_machines: Mapping[str, sfn.IStateMachine],
                 other_dead_letter_queues: Mapping[str, sqs.IQueue] | None = None) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=f"{app_name}-alarms", enforce_ssl=True)
        acknowledge(self.topic, "SNS2", "Alarm notifications carry alarm names and metric values, no customer data; "
                    "CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key.")
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.facade = monitoring.MonitoringFacade(
            self, "Facade",
            alarm_factory_defaults=monitoring.AlarmFactoryDefaults(
                alarm_name_prefix=app_name, actions_enabled=True, runbook_link=runbook,
                action=monitoring.SnsAlarmActionStrategy(on_alarm_topic=self.topic)),
            dashboard_factory=monitoring.DefaultDashboardFactory(
                self, "Dashboards", dashboard_name_prefix=app_name, create_dashboard=True,
                create_summary_dashboard=False, create_alarm_dashboard=False),
        )
        for name, queue in queues.items():
            self.facade.monitor_sqs_queue_with_dlq(
                queue=queue.queue, dead_letter_queue=queue.dead_letter_queue, human_readable_name=name,
                alarm_friendly_name=pascal(name),
                add_dead_letter_queue_max_size_alarm={
                    "Critical": monitoring.MaxMessageCountThreshold(max_message_count=0)},
                add_queue_max_message_age_alarm={
                    "Warning": monitoring.MaxMessageAgeThreshold(max_age_in_seconds=queue.max_age_seconds)})
        for name, dead_letter_queue in (other_dead_letter_queues or {}).items():
            self.facade.monitor_sqs_queue(
                queue=dead_letter_queue, human_readable_name=name, alarm_friendly_name=pascal(name),
                add_queue_max_size_alarm={"Critical": monitoring.MaxMessageCountThreshold(max_message_count=0)})
        for name, function in functions.items():
            self.facade.monitor_lambda_function(
                lambda_function=function.function, human_readable_name=name, alarm_friendly_name=pascal(name),
                add_fault_count_alarm={"Critical": monitoring.ErrorCountThreshold(max_error_count=FUNCTION_ERRORS)},
                add_throttles_count_alarm={"Warning": monitoring.ErrorCountThreshold(max_error_count=0)},
                # Close to the timeout: the next slow call turns into a timeout and a retry.
                add_latency_p99_alarm={"Warning": monitoring.LatencyThreshold(
                    max_latency=Duration.millis(int(function.timeout_seconds * 1000 * 0.8)))})
        self.facade.monitor_api_gateway(
            api=rest_api, api_stage=api_stage, human_readable_name="REST API", alarm_friendly_name="Api",
            add5_xx_fault_count_alarm={"Critical": monitoring.ErrorCountThreshold(max_error_count=API_5XX)},
            add_latency_p99_alarm={"Warning": monitoring.LatencyThreshold(max_latency=API_LATENCY_P99)})
        # The providers' webhooks: a 5xx is a delivery the provider retries (or drops, after its own
        # retries); a slow answer makes providers time out and resend.
        self.facade.monitor_api_gateway_v2_http_api(
            api=webhook_api, api_stage=webhook_stage, human_readable_name="Webhook HTTP API",
            alarm_friendly_name="WebhookApi",
            add5xx_count_alarm={"Critical": monitoring.ErrorCountThreshold(max_error_count=API_5XX)},
            add_latency_p99_alarm={"Warning": monitoring.LatencyThreshold(max_latency=API_LATENCY_P99)})
        self.facade.monitor_dynamo_table(
            table=table, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST, alarm_friendly_name="Table",
            add_read_throttled_events_count_alarm={
                "Warning": monitoring.ThrottledEventsThreshold(max_throttled_events_threshold=0)},
            add_write_throttled_events_count_alarm={
                "Warning": monitoring.ThrottledEventsThreshold(max_throttled_events_threshold=0)},
            add_system_error_count_alarm={"Critical": monitoring.ErrorCountThreshold(max_error_count=0)})
        for name, machine in state_machines.items():
            self.facade.monitor_step_function(
                state_machine=machine, human_readable_name=name, alarm_friendly_name=pascal(name),
                add_failed_execution_count_alarm={"Critical": monitoring.ErrorCountThreshold(max_error_count=0)},
                add_timed_out_execution_count_alarm={"Critical": monitoring.ErrorCountThreshold(max_error_count=0)},
                add_aborted_execution_count_alarm={"Warning": monitoring.ErrorCountThreshold(max_error_count=0)})
