"""The hourly auto-deletion sweep: an EventBridge Scheduler schedule that starts the auto-delete
state machine (``resources.auto_delete_definition``), with a dead-letter queue for starts that
failed after the scheduler's retries, and an alarm when no sweep has succeeded for three hours.

The schedule's input is ``resources.auto_delete_sweep_input``: the scheduled time (the sweep deletes
what was due by then) and the purge queue's URL (the machine's role allows no other queue).
"""

from __future__ import annotations

import json

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from chalicelib.core import resources
from constructs import Construct

from .nag import AWS_SOLUTIONS, SERVERLESS, acknowledge

# EventBridge Scheduler's placeholder for the time the run was scheduled for (RFC 3339, UTC).
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
# A sweep that cannot start within the hour is overtaken by the next one.
MAXIMUM_EVENT_AGE_SECONDS = 3600
MAXIMUM_RETRY_ATTEMPTS = 10
# How long without a successful sweep before someone is told (three missed hourly runs).
SILENCE = Duration.hours(3)


class AutoDeleteSchedule(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, app_name: str, machine: sfn.IStateMachine,
                 purge_queue: sqs.IQueue, runbook: str) -> None:
        super().__init__(scope, construct_id)
        account = Stack.of(self).account
        self.dead_letter_queue = sqs.Queue(self, "DeadLetterQueue", queue_name=f"{app_name}-auto-delete-schedule-dlq",
                                           encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
                                           retention_period=Duration.days(14))
        for rule, pack in (("SQS3", AWS_SOLUTIONS), ("SQSRedrivePolicy", SERVERLESS)):
            acknowledge(self.dead_letter_queue, rule, "This queue is the schedule's dead-letter queue (sweep starts "
                        "that failed after the scheduler's retries); an alarm watches its depth.", pack=pack)
        self.role = iam.Role(self, "Role", description="EventBridge Scheduler starts the auto-deletion sweep",
                             assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com", conditions={
                                 "StringEquals": {"aws:SourceAccount": account}}))
        machine.grant_start_execution(self.role)
        self.dead_letter_queue.grant_send_messages(self.role)
        self.schedule = scheduler.CfnSchedule(
            self, "Schedule",
            name=f"{app_name}-auto-delete-sweep",
            description=resources.AUTO_DELETE_MACHINE.description,
            schedule_expression=resources.AUTO_DELETE_SCHEDULE,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=machine.state_machine_arn,
                role_arn=self.role.role_arn,
                input=json.dumps(resources.auto_delete_sweep_input(SCHEDULED_TIME, purge_queue.queue_url)),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(
                    arn=self.dead_letter_queue.queue_arn),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_event_age_in_seconds=MAXIMUM_EVENT_AGE_SECONDS,
                    maximum_retry_attempts=MAXIMUM_RETRY_ATTEMPTS),
            ),
        )
        # A machine that is never started fails nothing: silence is an alarm of its own.
        self.silence_alarm = cloudwatch.Alarm(
            self, "NoSuccessfulSweep",
            alarm_name=f"{app_name}-auto-delete-no-successful-sweep",
            alarm_description=(f"No auto-deletion sweep succeeded in {SILENCE.to_hours()} hours: conversations "
                               f"past their deletion date are kept. Runbook: {runbook}#auto-deletion"),
            metric=machine.metric_succeeded(period=SILENCE, statistic="Sum"),
            threshold=1, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
