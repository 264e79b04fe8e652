"""cdk-nag's AWS Solutions checks pass, and every acknowledged finding says why."""

from __future__ import annotations

import pytest
from aws_cdk import Validations

from infra.constructs.nag import PACKS
from tests.infra.conftest import Expanded, Synthesized

pytestmark = pytest.mark.infra

MIN_REASON_LENGTH = 10


def test_no_unacknowledged_errors_or_warnings(synthesized: Synthesized) -> None:
    # Given the synthesis (which fails on unacknowledged errors) and its validation report
    violations = [
        f"{violation['severity']} {violation['ruleName']} at {construct['constructPath']}"
        for plugin in (synthesized.report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]

    # Then nothing is left: no error, no warning
    assert synthesized.error is None
    assert violations == []


def test_every_acknowledgment_names_a_rule_and_a_reason(synthesized: Synthesized) -> None:
    # Given every cdk-nag acknowledgment recorded in the construct tree (CDK records its own for
    # CloudFormation-Validate rules, e.g. on the access log bucket's policy)
    acknowledgments = {
        (construct.node.path, rule): reason
        for construct in synthesized.stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
        if not rule.startswith("CloudFormation-Validate::")
    }

    # Then there are some, each for an AWS Solutions rule and with a real reason
    assert acknowledgments
    for (path, rule), reason in acknowledgments.items():
        assert any(rule.startswith(f"{pack}::{pack}-") for pack in PACKS), (path, rule)
        assert len(reason.strip()) >= MIN_REASON_LENGTH, (path, rule, reason)


def test_what_cloudformation_creates_passes_aws_solutions_and_serverless_checks(expanded: Expanded) -> None:
    # Given the template with Chalice's SAM resources expanded, checked by both packs
    # Then every finding is fixed or acknowledged with its reason on the resource it comes from
    assert expanded.of_type("AWS::Lambda::Function")
    assert expanded.findings == [], "\n".join(map(str, expanded.findings))
