"""The email channel's AWS side: SES receives each account's mail into the media bucket and tells
the account's webhook through SNS; SES sends replies from verified domain identities.

Per email channel account (``accounts``: account id -> the address or domain it receives):
a receipt rule whose S3 action stores the raw MIME under ``inbound-mail/<account id>/`` and
notifies the account's topic, and that topic's HTTPS subscription to
``<webhooks' base URL>webhooks/email/<account id>`` (the webhook confirms it, shared/channels/mail.py).
SES may write to the bucket and publish to the topics only for this account and this rule set
(``aws:SourceAccount`` / ``aws:SourceArn``). CloudFormation cannot make a rule set the active one
(one per account and region): docs/deploy.md, "Email", says how.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Aws, CfnOutput, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .nag import SERVERLESS, acknowledge
from .naming import pascal

INBOUND_MAIL_PREFIX = "inbound-mail/"
SES_PRINCIPAL = "ses.amazonaws.com"


def inbound_mail_prefix(account_id: str) -> str:
    return f"{INBOUND_MAIL_PREFIX}{account_id}/"


def receiving_domain(recipient: str) -> str:
    return recipient.rsplit("@", 1)[-1].lower()


class EmailChannel(Construct):
    """``topics`` and ``rules`` are keyed by channel account id; ``identities`` by domain."""

    def __init__(self, scope: Construct, construct_id: str, *, app_name: str, accounts: Mapping[str, str],
                 media_bucket: s3.IBucket, webhook_base_url: str) -> None:
        super().__init__(scope, construct_id)
        self.rule_set_name = f"{app_name}-inbound"
        self.rule_set = ses.CfnReceiptRuleSet(self, "RuleSet", rule_set_name=self.rule_set_name)
        # The notifications name the mail's sender and subject: the topics are encrypted, with a
        # key SES may use to publish.
        self.key = kms.Key(self, "TopicKey", enable_key_rotation=True,
                           description=f"Encrypts the {app_name} inbound-mail notification topics")
        self.key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(SES_PRINCIPAL)], actions=["kms:GenerateDataKey*", "kms:Decrypt"],
            resources=["*"], conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        # Notifications SNS could not deliver to a webhook (after its retries) wait here; the mail
        # itself is in the bucket either way (docs/operations.md).
        self.undelivered = sqs.Queue(self, "Undelivered", queue_name=f"{app_name}-inbound-mail-undelivered",
                                     encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
                                     retention_period=Duration.days(14))
        reason = ("This is the dead-letter queue of the inbound-mail subscriptions; its depth is alarmed and "
                  "a redrive policy on it would only move notifications to yet another queue.")
        acknowledge(self.undelivered, "SQS3", reason)
        acknowledge(self.undelivered, "SQSRedrivePolicy", reason, pack=SERVERLESS)
        self.topics: dict[str, sns.Topic] = {}
        self.rules: dict[str, ses.CfnReceiptRule] = {}
        for account_id, recipient in sorted(accounts.items()):
            self._account(account_id, recipient, media_bucket, webhook_base_url)
        # One rule per account, named by the account id.
        rule_arns = [self._rule_arn(account_id) for account_id in sorted(accounts)]
        if rule_arns:
            media_bucket.add_to_resource_policy(iam.PolicyStatement(
                sid="SesStoresInboundMail", principals=[iam.ServicePrincipal(SES_PRINCIPAL)],
                actions=["s3:PutObject"], resources=[media_bucket.arn_for_objects(f"{INBOUND_MAIL_PREFIX}*")],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                            "ArnLike": {"aws:SourceArn": rule_arns}}))
        self.identities: dict[str, ses.EmailIdentity] = {}
        for domain in sorted({receiving_domain(recipient) for recipient in accounts.values()}):
            identity = ses.EmailIdentity(self, f"{pascal(domain.replace('.', '-'))}Identity",
                                         identity=ses.Identity.domain(domain))
            self.identities[domain] = identity
            for number, (name, value) in enumerate(((identity.dkim_dns_token_name1, identity.dkim_dns_token_value1),
                                                    (identity.dkim_dns_token_name2, identity.dkim_dns_token_value2),
                                                    (identity.dkim_dns_token_name3, identity.dkim_dns_token_value3)),
                                                   start=1):
                CfnOutput(self, f"{pascal(domain.replace('.', '-'))}Dkim{number}", value=f"{name} CNAME {value}",
                          description=f"DKIM record {number} to publish in {domain}'s DNS (docs/deploy.md)")

    def _rule_arn(self, rule_name: str) -> str:
        return (f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:receipt-rule-set/{self.rule_set_name}"
                f":receipt-rule/{rule_name}")

    def _account(self, account_id: str, recipient: str, media_bucket: s3.IBucket,
                 webhook_base_url: str) -> None:
        construct_name = pascal(account_id)
        topic = sns.Topic(self, f"{construct_name}Topic", master_key=self.key, enforce_ssl=True,
                          display_name=f"Inbound mail of email account {account_id}")
        rule_name = account_id
        topic.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(SES_PRINCIPAL)], actions=["sns:Publish"], resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": self._rule_arn(rule_name)}}))
        # The adapter reads the SNS envelope (signature, TopicArn), so no raw message delivery.
        topic.add_subscription(subscriptions.UrlSubscription(f"{webhook_base_url}email/{account_id}",
                                                             protocol=sns.SubscriptionProtocol.HTTPS,
                                                             dead_letter_queue=self.undelivered))
        rule = ses.CfnReceiptRule(
            self, f"{construct_name}Rule", rule_set_name=self.rule_set.ref,
            rule=ses.CfnReceiptRule.RuleProperty(
                name=rule_name, enabled=True, scan_enabled=True, tls_policy="Require", recipients=[recipient],
                actions=[ses.CfnReceiptRule.ActionProperty(s3_action=ses.CfnReceiptRule.S3ActionProperty(
                    bucket_name=media_bucket.bucket_name, object_key_prefix=inbound_mail_prefix(account_id),
                    topic_arn=topic.topic_arn))]))
        # SES checks that it may write and publish when the rule is created.
        rule.node.add_dependency(topic)
        if media_bucket.policy is not None:
            rule.node.add_dependency(media_bucket.policy)
        CfnOutput(self, f"{construct_name}TopicArn", value=topic.topic_arn,
                  description=f"topic_arn for the credentials of email account {account_id}")
        self.topics[account_id] = topic
        self.rules[account_id] = rule
