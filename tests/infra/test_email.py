"""The email channel's SES side: a rule per account storing mail under its prefix and notifying its
topic, which only SES of this account and rule may publish to, subscribed by the account's webhook."""

from __future__ import annotations

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from infra.constructs.email import EmailChannel
from tests.infra.conftest import empty_stack, join

pytestmark = pytest.mark.infra

ACCOUNTS = {"acc1": "support@acme.example", "acc2": "sales.example"}


def _synthesized() -> Template:
    stack = empty_stack()
    bucket = s3.Bucket(stack, "Media", enforce_ssl=True)
    EmailChannel(stack, "Email", app_name="unit", accounts=ACCOUNTS, media_bucket=bucket,
                 webhook_base_url="https://api.example/api/webhooks/")
    return Template.from_stack(stack)


def test_each_account_has_a_receipt_rule_storing_its_mail_under_its_prefix_and_notifying_its_topic() -> None:
    template = _synthesized()
    template.has_resource_properties("AWS::SES::ReceiptRuleSet", {"RuleSetName": "unit-inbound"})
    rules = {rule["Properties"]["Rule"]["Name"]: rule["Properties"]["Rule"]
             for rule in template.find_resources("AWS::SES::ReceiptRule").values()}
    assert set(rules) == set(ACCOUNTS)
    for account_id, recipient in ACCOUNTS.items():
        rule = rules[account_id]
        assert rule["Recipients"] == [recipient]
        assert rule["ScanEnabled"] is True
        (action,) = rule["Actions"]
        assert action["S3Action"]["ObjectKeyPrefix"] == f"inbound-mail/{account_id}/"
        assert "TopicArn" in action["S3Action"]


def test_topics_are_subscribed_by_the_accounts_webhooks_and_published_to_only_by_ses_of_this_rule() -> None:
    template = _synthesized()
    endpoints = sorted(subscription["Properties"]["Endpoint"]
                       for subscription in template.find_resources("AWS::SNS::Subscription").values())
    assert endpoints == [f"https://api.example/api/webhooks/email/{account}" for account in sorted(ACCOUNTS)]
    template.resource_count_is("AWS::SNS::Subscription", len(ACCOUNTS))
    publish = [statement for policy in template.find_resources("AWS::SNS::TopicPolicy").values()
               for statement in policy["Properties"]["PolicyDocument"]["Statement"]
               if statement.get("Action") == "sns:Publish" and statement["Effect"] == "Allow"]
    assert len(publish) == len(ACCOUNTS)
    for statement in publish:
        assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert ":receipt-rule-set/unit-inbound:receipt-rule/acc" in join(statement["Condition"]["ArnLike"][
            "aws:SourceArn"])
    # And the topics are encrypted (the notifications name sender and subject)
    for topic in template.find_resources("AWS::SNS::Topic").values():
        assert "KmsMasterKeyId" in topic["Properties"]


def test_ses_may_write_inbound_mail_to_the_bucket_only_for_this_account_and_its_rules() -> None:
    template = _synthesized()
    (policy,) = template.find_resources("AWS::S3::BucketPolicy").values()
    (statement,) = [statement for statement in policy["Properties"]["PolicyDocument"]["Statement"]
                    if statement.get("Sid") == "SesStoresInboundMail"]
    assert statement["Action"] == "s3:PutObject"
    assert join(statement["Resource"]).endswith("/inbound-mail/*")
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert [join(arn).rsplit("/", 1)[-1] for arn in statement["Condition"]["ArnLike"]["aws:SourceArn"]] == sorted(
        ACCOUNTS)


def test_replies_go_out_from_a_domain_identity_per_receiving_domain() -> None:
    template = _synthesized()
    identities = sorted(identity["Properties"]["EmailIdentity"]
                        for identity in template.find_resources("AWS::SES::EmailIdentity").values())
    assert identities == ["acme.example", "sales.example"]
