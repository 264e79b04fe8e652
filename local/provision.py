"""Creates the AWS resources of one installation in moto, from ``chalicelib.core.resources``.

The CDK stack builds the same resources from the same definitions; ``tests/infra`` checks
that both agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from chalicelib.core import resources, user_pool
from chalicelib.domain.identity import USER_GROUPS

# moto accepts any well-formed role ARN; in AWS each state machine has its own role (infra/).
LOCAL_ROLE_ARN = "arn:aws:iam::123456789012:role/local-state-machines"


@dataclass
class LocalResources:
    app_name: str
    region: str
    endpoint_url: str
    table_name: str
    queue_urls: dict[str, str] = field(default_factory=dict)
    dlq_urls: dict[str, str] = field(default_factory=dict)
    state_machine_arns: dict[str, str] = field(default_factory=dict)
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    media_bucket: str = ""

    def function_environment(self, public_api_url: str) -> dict[str, str]:
        """The environment the functions get, as the CDK stack sets it in AWS."""
        env = {
            resources.ENV_APP_NAME: self.app_name,
            resources.ENV_USER_POOL_ID: self.user_pool_id,
            resources.ENV_USER_POOL_CLIENT_ID: self.user_pool_client_id,
            resources.ENV_JWKS_URL: f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json",
            resources.ENV_PUBLIC_API_URL: public_api_url,
            # One port serves the API and the webhooks here, so both have the same base.
            resources.ENV_PUBLIC_WEBHOOK_URL: public_api_url,
            resources.ENV_RETRY_MACHINE_ARN: self.state_machine_arns[resources.DELAYED_RETRY_MACHINE.key],
            resources.ENV_MEDIA_BUCKET: self.media_bucket,
            # Not set in AWS: integrators' receivers run on loopback here (tests, the demo).
            resources.ENV_PRIVATE_RECEIVERS: "true",
            # Not set in AWS: the providers are the channel simulator on loopback here.
            resources.ENV_LOCAL_RUNTIME: "true",
        }
        for queue in resources.QUEUES:
            env[resources.queue_url_env(queue)] = self.queue_urls[queue.key]
        return env


def _client(service: str, endpoint_url: str | None, region: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region)  # type: ignore[call-overload]


def create_table(endpoint_url: str | None, region: str, app_name: str) -> str:
    table = resources.TABLE
    name = table.physical_name(app_name)
    dynamodb = _client("dynamodb", endpoint_url, region)
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in table.string_attributes],
        KeySchema=[{"AttributeName": table.partition_key, "KeyType": "HASH"},
                   {"AttributeName": table.sort_key, "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": index.name,
            "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"},
                          {"AttributeName": index.sort_key, "KeyType": "RANGE"}],
            "Projection": index.projection(),
        } for index in table.indexes],
    )
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": table.ttl_attribute})
    dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    return name


def create_queues(endpoint_url: str, region: str, app_name: str) -> tuple[dict[str, str], dict[str, str]]:
    sqs = _client("sqs", endpoint_url, region)
    queue_urls: dict[str, str] = {}
    dlq_urls: dict[str, str] = {}
    for queue in resources.QUEUES:
        dlq_attributes = {"MessageRetentionPeriod": str(queue.dlq_retention_days * 86400)}
        if queue.fifo:
            # High-throughput FIFO as the queue (the stack builds both alike).
            dlq_attributes.update({"FifoQueue": "true", "DeduplicationScope": resources.FIFO_DEDUPLICATION_SCOPE,
                                   "FifoThroughputLimit": resources.FIFO_THROUGHPUT_LIMIT})
        dlq_url = sqs.create_queue(QueueName=queue.dlq_physical_name(app_name), Attributes=dlq_attributes)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = queue.attributes()
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn,
                                                  "maxReceiveCount": queue.max_receive_count})
        queue_urls[queue.key] = sqs.create_queue(QueueName=queue.physical_name(app_name),
                                                 Attributes=attributes)["QueueUrl"]
        dlq_urls[queue.key] = dlq_url
    return queue_urls, dlq_urls


def create_state_machines(endpoint_url: str, region: str, app_name: str) -> dict[str, str]:
    sfn = _client("stepfunctions", endpoint_url, region)
    arns: dict[str, str] = {}
    for machine in resources.STATE_MACHINES:
        arns[machine.key] = sfn.create_state_machine(
            name=machine.physical_name(app_name),
            definition=json.dumps(resources.state_machine_definition(machine, app_name)),
            roleArn=LOCAL_ROLE_ARN,
        )["stateMachineArn"]
    return arns


def create_user_pool(endpoint_url: str, region: str, app_name: str, web_url: str = "") -> tuple[str, str]:
    """The pool as infra/constructs/identity.py builds it: email sign-in, the password policy,
    invitation and reset-code mail and token lifetimes (``shared/core/user_pool.py``), optional TOTP MFA."""
    cognito = _client("cognito-idp", endpoint_url, region)
    pool_id: str = cognito.create_user_pool(
        PoolName=f"{app_name}-users", UsernameAttributes=["email"],
        Policies={"PasswordPolicy": user_pool.PASSWORD_POLICY},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True, "InviteMessageTemplate": {
            "EmailSubject": user_pool.INVITE_SUBJECT, "EmailMessage": user_pool.invite_message(web_url)}},
        VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_CODE",
                                     "EmailSubject": user_pool.RESET_SUBJECT,
                                     "EmailMessage": user_pool.RESET_MESSAGE},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        MfaConfiguration="OPTIONAL",
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    for group in USER_GROUPS:
        cognito.create_group(GroupName=group, UserPoolId=pool_id)
    client_id: str = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=f"{app_name}-web", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED", EnableTokenRevocation=True,
        IdTokenValidity=user_pool.ID_TOKEN_HOURS, AccessTokenValidity=user_pool.ACCESS_TOKEN_HOURS,
        RefreshTokenValidity=user_pool.REFRESH_TOKEN_DAYS,
        TokenValidityUnits={"IdToken": "hours", "AccessToken": "hours", "RefreshToken": "days"},
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def create_media_bucket(endpoint_url: str, region: str, app_name: str) -> str:
    name = f"{app_name}-media"
    s3 = _client("s3", endpoint_url, region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    # As in infra/constructs/storage.py: the web app POSTs uploads as presigned forms, GETs media.
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [{
        "AllowedMethods": list(resources.MEDIA_CORS_METHODS), "AllowedOrigins": ["*"],
        "AllowedHeaders": list(resources.MEDIA_CORS_HEADERS), "MaxAgeSeconds": resources.MEDIA_CORS_MAX_AGE_SECONDS}]})
    # The same expiry of finished exports (moto keeps the rule; it expires nothing, and locally nothing needs to).
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [{
        "ID": "ExpireExports", "Status": "Enabled", "Filter": {"Prefix": resources.EXPORTS_PREFIX},
        "Expiration": {"Days": resources.EXPORT_EXPIRY_DAYS}}]})
    return name


def provision(endpoint_url: str, region: str, app_name: str, web_url: str = "") -> LocalResources:
    queue_urls, dlq_urls = create_queues(endpoint_url, region, app_name)
    pool_id, client_id = create_user_pool(endpoint_url, region, app_name, web_url)
    return LocalResources(
        app_name=app_name, region=region, endpoint_url=endpoint_url,
        table_name=create_table(endpoint_url, region, app_name),
        queue_urls=queue_urls, dlq_urls=dlq_urls,
        state_machine_arns=create_state_machines(endpoint_url, region, app_name),
        user_pool_id=pool_id, user_pool_client_id=client_id,
        media_bucket=create_media_bucket(endpoint_url, region, app_name),
    )
