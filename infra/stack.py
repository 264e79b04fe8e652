"""``ContactStack``: assembles the constructs and grants each function and state machine its access."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, CfnOutput, Stack, Tags, Validations
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from chalicelib.core import resources
from chalicelib.domain.identity import USER_GROUPS
from constructs import Construct

from . import constants
from .access import ACCESS, CONSUME_ACTIONS, SECRET_READ, SECRET_WRITE, Access
from .constructs.access_logs import AccessLogs
from .constructs.api import ChaliceApi, Consumer, StageSettings
from .constructs.auto_delete import AutoDeleteSchedule
from .constructs.budget import CostBudget, monthly_budget
from .constructs.channel_credentials import ChannelCredentials
from .constructs.email import EmailChannel
from .constructs.firewall import ApiFirewall
from .constructs.identity import Identity
from .constructs.monitoring import MonitoredFunction, MonitoredQueue, Monitoring
from .constructs.nag import acknowledge, objects_finding
from .constructs.push import PushApi
from .constructs.queues import Queues
from .constructs.storage import Storage
from .constructs.web import WebHosting
from .constructs.webhook_api import DEFAULT_STAGE, WebhookApi
from .constructs.workflows import Workflows

# Users of these roles sign in (domain/identity.py); "disabled" is a state of a user record.
__all__ = ["USER_GROUPS", "ContactStack"]


class ContactStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, app_name: str, web_assets_dir: Path | None,
                 public_api_url: str | None = None, public_webhook_url: str | None = None, waf: bool = False,
                 alarm_email: str | None = None, monthly_budget_usd: float | None = None,
                 cognito_sender_email: str | None = None, web_url: str | None = None,
                 email_accounts: Mapping[str, str] | None = None,
                 log_level: str = constants.DEFAULT_LOG_LEVEL,
                 webhook_reserved_concurrency: int = constants.DEFAULT_WEBHOOK_RESERVED_CONCURRENCY,
                 **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.app_name = app_name
        self.log_level = log_level.upper()
        access_logs = AccessLogs(self, "AccessLogs", retention_days=constants.ACCESS_LOG_RETENTION_DAYS)
        self.storage = Storage(self, "Storage", app_name=app_name, table=resources.TABLE,
                               access_logs=access_logs.bucket)
        self.queues = Queues(self, "Queues", app_name=app_name, definitions=resources.QUEUES)
        self.workflows = Workflows(self, "Workflows", app_name=app_name, definitions=resources.STATE_MACHINES,
                                   log_retention=constants.LOG_RETENTION)
        self.identity = Identity(self, "Identity", app_name=app_name, group_names=USER_GROUPS,
                                 sender_email=cognito_sender_email, web_url=web_url)
        self.credentials = ChannelCredentials(self, "ChannelCredentials", app_name=app_name)
        self.api = ChaliceApi(
            self, "Api",
            source_dir=constants.CHALICE_SOURCE_DIR,
            api_handler=constants.API_HANDLER,
            webhook_handler=constants.WEBHOOK_INTAKE,
            webhook_reserved_concurrency=webhook_reserved_concurrency,
            consumers={name: Consumer(definition, self.queues.queue(definition))
                       for name, definition in constants.QUEUE_CONSUMERS.items()},
            environment=self._environment(public_api_url),
            api_name=constants.api_name(app_name),
            api_stage=constants.API_STAGE,
            stage_settings=StageSettings(throttle=constants.API_THROTTLE, route_throttles=constants.ROUTE_THROTTLES,
                                         minimum_compression_bytes=constants.API_MINIMUM_COMPRESSION_BYTES),
            runtime=constants.LAMBDA_RUNTIME,
            log_level=log_level.upper(),
            memory_mb=constants.LAMBDA_MEMORY_MB,
            timeout_seconds=constants.LAMBDA_TIMEOUT_SECONDS,
            log_retention=constants.LOG_RETENTION,
        )
        self.webhooks = WebhookApi(self, "Webhooks", api_name=constants.webhook_api_name(app_name),
                                   intake=self.api.function(constants.WEBHOOK_INTAKE), path=constants.WEBHOOK_PATH,
                                   methods=constants.WEBHOOK_THROTTLES, log_retention=constants.LOG_RETENTION)
        # The base of the webhook URLs the administration API shows (the API handler alone shows them;
        # the intake cannot be given its own API's URL, which depends on it).
        self.api.function(constants.API_HANDLER).add_property_override(
            f"Environment.Variables.{resources.ENV_PUBLIC_WEBHOOK_URL}",
            self.webhook_base_url(public_webhook_url))
        self.push = PushApi(self, "Push", api=self.api, functions=constants.WEBSOCKET_FUNCTIONS,
                            push_worker=constants.PUSH_WORKER, log_retention=constants.LOG_RETENTION,
                            log_level=log_level.upper())
        self.web = WebHosting(
            self, "Web",
            app_name=app_name,
            api_domain_name=self.api.domain_name,
            api_path_pattern=constants.API_PATH_PATTERN,
            index_document=constants.WEB_INDEX_DOCUMENT,
            access_logs=access_logs.bucket,
            log_prefix=constants.CLOUDFRONT_LOG_PREFIX,
            assets_dir=web_assets_dir,
        )
        self.email = (EmailChannel(self, "Email", app_name=app_name, accounts=email_accounts,
                                   media_bucket=self.storage.media_bucket,
                                   webhook_base_url=f"{self.webhook_base_url(public_webhook_url)}/webhooks/")
                      if email_accounts else None)
        self.firewall = self._firewall() if waf else None
        self.auto_delete = AutoDeleteSchedule(self, "AutoDelete", app_name=app_name,
                                              machine=self.workflows.machine(resources.AUTO_DELETE_MACHINE),
                                              purge_queue=self.queues.queue(resources.PURGE_QUEUE),
                                              runbook=constants.RUNBOOK_MARKER)
        self.monitoring = self._monitoring(alarm_email)
        self.auto_delete.silence_alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.monitoring.topic))
        self.budget = (CostBudget(self, "Budget", name=f"{app_name}-monthly", monthly_usd=monthly_budget_usd,
                                  topic=self.monitoring.topic)
                       if monthly_budget_usd is not None else None)
        if self.firewall is None:
            acknowledge(self.api.rest_api, "APIG3",
                        f"No WAF web ACL in this deployment: `-c {constants.CONTEXT_WAF}=true` adds one (AWS managed "
                        "common, known-bad-inputs and IP-reputation rules and a per-IP rate "
                        "rule, infra/constructs/firewall.py); without it the stage's throttling bounds request rates.")
        self._grant_workflows()
        self._grant_functions()
        self._outputs()

    def webhook_base_url(self, public_webhook_url: str | None) -> str:
        """What precedes ``/webhooks/<channel>/<account>``: the configured public webhook URL, else
        the webhooks' HTTP API endpoint."""
        return public_webhook_url.rstrip("/") if public_webhook_url else self.webhooks.base_url

    def _monitoring(self, alarm_email: str | None) -> Monitoring:
        functions = {
            name: MonitoredFunction(
                function=lambda_.Function.from_function_name(self, f"{name}Ref", self.api.function(name).ref),
                timeout_seconds=(constants.QUEUE_CONSUMERS[name].consumer_timeout_seconds
                                 if name in constants.QUEUE_CONSUMERS else constants.LAMBDA_TIMEOUT_SECONDS))
            for name in constants.FUNCTION_NAMES}
        queues = {definition.key: MonitoredQueue(queue=self.queues.queue(definition),
                                                 dead_letter_queue=self.queues.dead_letter_queue(definition),
                                                 max_age_seconds=constants.QUEUE_MAX_AGE_SECONDS.get(
                                                     definition.key, constants.DEFAULT_QUEUE_MAX_AGE_SECONDS))
                  for definition in resources.QUEUES}
        rest_api = apigateway.RestApi.from_rest_api_attributes(
            self, "RestApiRef", rest_api_id=self.api.rest_api.ref,
            root_resource_id=self.api.rest_api.get_att("RootResourceId").to_string(),
            rest_api_name=constants.api_name(self.app_name))
        return Monitoring(self, "Monitoring", app_name=self.app_name, alarm_email=alarm_email,
                          runbook=constants.RUNBOOK_MARKER, functions=functions,
                          queues=queues, rest_api=rest_api, api_stage=constants.API_STAGE,
                          webhook_api=self.webhooks.api, webhook_stage=DEFAULT_STAGE, table=self.storage.table,
                          state_machines={definition.key: self.workflows.machine(definition)
                                          for definition in resources.STATE_MACHINES},
                          other_dead_letter_queues={
                              "auto-delete-schedule": self.auto_delete.dead_letter_queue,
                              **({"inbound-mail-undelivered": self.email.undelivered} if self.email else {})})

    def _firewall(self) -> ApiFirewall:
        return ApiFirewall(self, "Firewall", name=f"{self.app_name}-api", rest_api_id=self.api.rest_api.ref,
                           stage_name=constants.API_STAGE, stage_logical_id=self.api.stage_logical_id,
                           requests_per_ip_per_5_minutes=constants.WAF_REQUESTS_PER_IP_PER_5_MINUTES)

    def _environment(self, public_api_url: str | None) -> dict[str, str]:
        environment = {
            resources.ENV_APP_NAME: self.app_name,
            resources.ENV_USER_POOL_ID: self.identity.user_pool.user_pool_id,
            resources.ENV_USER_POOL_CLIENT_ID: self.identity.client.user_pool_client_id,
            resources.ENV_RETRY_MACHINE_ARN:
                self.workflows.machine(resources.DELAYED_RETRY_MACHINE).state_machine_arn,
            resources.ENV_MEDIA_BUCKET: self.storage.media_bucket.bucket_name,
            "POWERTOOLS_SERVICE_NAME": constants.POWERTOOLS_SERVICE_NAME,
            "POWERTOOLS_LOG_LEVEL": self.log_level,
            "POWERTOOLS_METRICS_NAMESPACE": constants.METRICS_NAMESPACE,
        }
        environment.update({resources.queue_url_env(queue): self.queues.queue(queue).queue_url
                            for queue in resources.QUEUES})
        # The API handler cannot reference its own REST API (the API references the handler), so
        # the public URL is a literal known after the first deployment; see docs/deploy.md.
        if public_api_url:
            environment[resources.ENV_PUBLIC_API_URL] = public_api_url.rstrip("/")
        return environment

    def _grant_workflows(self) -> None:
        retry = self.workflows.machine(resources.DELAYED_RETRY_MACHINE)
        self.queues.queue(resources.SEND_QUEUE).grant(retry, "sqs:SendMessage")
        # Failed event deliveries come back the same way (shared/domain/event_delivery.py).
        self.queues.queue(resources.EVENTS_QUEUE).grant(retry, "sqs:SendMessage")
        # And media copies that failed for a passing reason (shared/domain/media_copy.py).
        self.queues.queue(resources.MEDIA_QUEUE).grant(retry, "sqs:SendMessage")
        # The sweep reads the due index (keys only) and sends each page to the purge queue.
        auto_delete = self.workflows.machine(resources.AUTO_DELETE_MACHINE)
        iam.Grant.add_to_principal(grantee=auto_delete, actions=["dynamodb:Query"],
                                   resource_arns=[f"{self.storage.table.table_arn}/index/{resources.DUE_INDEX}"])
        self.queues.queue(resources.PURGE_QUEUE).grant(auto_delete, "sqs:SendMessage")

    def _grant_functions(self) -> None:
        """Each function's role from the one grant map (infra/access.py), which the least-privilege
        test checks against the AWS calls each function was seen to make."""
        roles = {**self.api.roles, **self.push.roles}
        for name, access in ACCESS.items():
            self._grant(roles[name], access)
        for name, queue in self.api.consumers.items():
            # What Lambda's event source mapping does with the function's role.
            iam.Grant.add_to_principal(grantee=roles[name], actions=list(CONSUME_ACTIONS),
                                       resource_arns=[queue.queue_arn])

    def _grant(self, role: iam.Role, access: Access) -> None:
        self._grant_data(role, access)
        self._grant_services(role, access)

    def _grant_data(self, role: iam.Role, access: Access) -> None:
        """The table (items, and the indexes it queries by name) and the media bucket's folders."""
        table = self.storage.table
        if access.table:
            iam.Grant.add_to_principal(grantee=role, actions=sorted(access.table), resource_arns=[table.table_arn])
        if access.indexes:
            iam.Grant.add_to_principal(grantee=role, actions=["dynamodb:Query"], resource_arns=[
                f"{table.table_arn}/index/{index}" for index in access.indexes])
        for folder, actions in access.media.items():
            self._grant_media(role, *actions, prefix=folder)
        if access.lists_media:
            # The purge lists a conversation's media by key prefix.
            iam.Grant.add_to_principal(grantee=role, actions=["s3:ListBucket"],
                                       resource_arns=[self.storage.media_bucket.bucket_arn])

    def _grant_services(self, role: iam.Role, access: Access) -> None:
        for queue in access.sends:
            # SendMessage only (CDK's grant_send_messages adds GetQueueAttributes and GetQueueUrl).
            self.queues.queue(queue).grant(role, "sqs:SendMessage")
        for machine in access.starts:
            self.workflows.machine(machine).grant_start_execution(role)
        if any(action in SECRET_READ for action in access.secrets):
            self.credentials.grant_read(role)
        if any(action in SECRET_WRITE for action in access.secrets):
            self.credentials.grant_write(role)
        if access.user_pool:
            iam.Grant.add_to_principal(grantee=role, actions=list(access.user_pool),
                                       resource_arns=[self.identity.user_pool.user_pool_arn])
        if access.sends_email:
            self._grant_email(role)
        if access.posts_to_connections:
            iam.Grant.add_to_principal(grantee=role, actions=["execute-api:ManageConnections"],
                                       resource_arns=[self.push.connections_arn])
            acknowledge(role, "IAM5", "Connections are created at runtime; the grant is limited to this WebSocket "
                        "API's stage.", "Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
                        "<WebsocketAPI>/api/*/@connections/*")

    def _grant_email(self, role: iam.Role) -> None:
        if self.email is not None:
            # Replies go out from the receiving domains' identities (email_accounts), and from no other.
            sender_identities = [identity.email_identity_arn for identity in self.email.identities.values()]
        else:
            sender_identities = [self.format_arn(service="ses", resource="identity", resource_name="*")]
            acknowledge(role, "IAM5", "No email_accounts in this deployment: email channel accounts and their SES "
                        "identities are set up outside the stack, so the sender identity is known only when the "
                        "reply is sent.",
                        "Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*")
        iam.Grant.add_to_principal(grantee=role, actions=["ses:SendEmail"], resource_arns=sender_identities)

    def _grant_media(self, role: iam.Role, *actions: str, prefix: str = "") -> None:
        bucket = self.storage.media_bucket
        iam.Grant.add_to_principal(grantee=role, actions=list(actions),
                                   resource_arns=[bucket.arn_for_objects(f"{prefix}*")])
        acknowledge(role, "IAM5", f"{', '.join(actions)} on media objects under '{prefix}': object keys are per "
                    "conversation and message, created at runtime.", objects_finding(bucket, prefix))

    def _outputs(self) -> None:
        CfnOutput(self, "ApiUrl", value=self.api.url,
                  description="The agents' REST API (API Gateway stage included), for API clients")
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn,
                  description="Every alarm notifies this topic; subscribe the on-call (docs/operations.md)")
        CfnOutput(self, "WebAppUrl", value=self.web.url,
                  description="The web app; its /api/* paths reach the same REST API")
        CfnOutput(self, "WebhookBaseUrl", value=f"{self.webhooks.url}webhooks/",
                  description="Provider webhooks, on their own HTTP API: append {channel}/{account}, e.g. "
                              "<WebhookBaseUrl>whatsapp/<account id>; GET answers the handshake, "
                              "POST receives events")


def build(app: App, *, web_assets_dir: Path | None) -> ContactStack:
    """The contact inbox stack on ``app``, with cdk-nag's AWS Solutions and Serverless checks applied
    (they do not look into Chalice's SAM resources: the infra suite checks those expanded)."""
    app_name = str(app.node.try_get_context(constants.CONTEXT_APP_NAME) or resources.DEFAULT_APP_NAME)
    public_api_url = app.node.try_get_context(constants.CONTEXT_PUBLIC_API_URL)
    public_webhook_url = app.node.try_get_context(constants.CONTEXT_PUBLIC_WEBHOOK_URL)
    waf = str(app.node.try_get_context(constants.CONTEXT_WAF) or "").lower() == "true"
    alarm_email = app.node.try_get_context(constants.CONTEXT_ALARM_EMAIL)
    budget = monthly_budget(app.node.try_get_context(constants.CONTEXT_MONTHLY_BUDGET))
    cognito_sender_email = app.node.try_get_context(constants.CONTEXT_COGNITO_SENDER)
    web_url = app.node.try_get_context(constants.CONTEXT_WEB_URL)
    log_level = str(app.node.try_get_context(constants.CONTEXT_LOG_LEVEL) or constants.DEFAULT_LOG_LEVEL)
    reserved = app.node.try_get_context(constants.CONTEXT_WEBHOOK_RESERVED_CONCURRENCY)
    email_accounts = app.node.try_get_context(constants.CONTEXT_EMAIL_ACCOUNTS)
    if isinstance(email_accounts, str):  # given on the command line: -c email_accounts='{"id": "a@b.c"}'
        email_accounts = json.loads(email_accounts)
    stack = ContactStack(
        app, constants.STACK_ID,
        stack_name=f"{app_name}-contact",
        description=f"Multi-channel customer-contact inbox ({app_name})",
        app_name=app_name,
        web_assets_dir=web_assets_dir,
        public_api_url=str(public_api_url) if public_api_url else None,
        public_webhook_url=str(public_webhook_url) if public_webhook_url else None,
        waf=waf,
        alarm_email=str(alarm_email) if alarm_email else None,
        monthly_budget_usd=budget,
        cognito_sender_email=str(cognito_sender_email) if cognito_sender_email else None,
        web_url=str(web_url) if web_url else None,
        email_accounts={str(account): str(recipient) for account, recipient in (email_accounts or {}).items()},
        log_level=log_level,
        webhook_reserved_concurrency=(constants.DEFAULT_WEBHOOK_RESERVED_CONCURRENCY if reserved is None
                                      else int(reserved)),
    )
    Tags.of(stack).add(constants.TAG_APPLICATION, app_name)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True), ServerlessChecks(app, verbose=True))
    return stack
