"""Acknowledging cdk-nag findings: every acknowledgment names its rule and gives its reason.

cdk-nag 3 reports through CDK's policy validation (``Validations``); an acknowledgment applies to
the construct it is recorded on and to everything below it. Rules with several findings per
resource (IAM4, IAM5) are acknowledged one finding at a time, e.g. ``Resource::*``.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

AWS_SOLUTIONS = "AwsSolutions"
SERVERLESS = "Serverless"
PACKS = (AWS_SOLUTIONS, SERVERLESS)


def acknowledge(scope: IConstruct, rule: str, reason: str, *findings: str, pack: str = AWS_SOLUTIONS) -> None:
    """Acknowledge ``<pack>-<rule>`` (or only the given findings of it) on ``scope``.

    Acknowledgments on a resource Chalice emits (``AWS::Serverless::*``) hold for what the SAM
    transform makes of it (``tests/infra/conftest.py`` checks the expanded template)."""
    rule_id = f"{pack}::{pack}-{rule}"
    ids = [f"{rule_id}[{finding}]" for finding in findings] if findings else [rule_id]
    Validations.of(scope).acknowledge(*(Acknowledgment(id=each, reason=reason) for each in ids))


def managed_policy_finding(name: str) -> str:
    """The IAM4 finding id of an AWS managed policy attached to a role."""
    return f"Policy::arn:<AWS::Partition>:iam::aws:policy/{name}"


def objects_finding(bucket: IConstruct, prefix: str = "") -> str:
    """The IAM5 finding id of ``<bucket ARN>/<prefix>*`` (every object of a bucket, or under a
    prefix) in a policy."""
    resource = bucket.node.default_child
    if not isinstance(resource, CfnElement):
        raise TypeError(f"{bucket.node.path} has no CloudFormation resource")
    stack = Stack.of(resource)
    logical_id = stack.resolve(stack.get_logical_id(resource))
    return f"Resource::<{logical_id}.Arn>/{prefix}*"
