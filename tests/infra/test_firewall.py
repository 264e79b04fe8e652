"""The optional WAF web ACL: managed rule groups, a per-IP rate rule, associated with the API stage."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from infra.constructs.firewall import MANAGED_RULE_GROUPS, ApiFirewall
from tests.infra.conftest import empty_stack

pytestmark = pytest.mark.infra


def test_web_acl_blocks_bad_inputs_bad_addresses_and_floods_on_the_stage() -> None:
    # Given the firewall on a REST API's stage
    stack = empty_stack()
    ApiFirewall(stack, "Firewall", name="acme-api", rest_api_id="abc123", stage_name="api",
                stage_logical_id="RestAPIapiStage", requests_per_ip_per_5_minutes=3000)
    template = Template.from_stack(stack)

    # Then the regional ACL allows by default and runs AWS's managed groups and a per-IP rate rule
    (acl,) = template.find_resources("AWS::WAFv2::WebACL").values()
    properties = acl["Properties"]
    assert properties["Scope"] == "REGIONAL"
    assert properties["DefaultAction"] == {"Allow": {}}
    groups = [rule["Statement"]["ManagedRuleGroupStatement"]["Name"] for rule in properties["Rules"]
              if "ManagedRuleGroupStatement" in rule["Statement"]]
    assert groups == list(MANAGED_RULE_GROUPS)
    (rate,) = [rule for rule in properties["Rules"] if "RateBasedStatement" in rule["Statement"]]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"] == {"Limit": 3000, "AggregateKeyType": "IP"}
    # And it is associated with the stage, after the stage exists
    template.has_resource("AWS::WAFv2::WebACLAssociation", {
        "DependsOn": ["RestAPIapiStage"],
        "Properties": {"ResourceArn": {"Fn::Join": ["", Match.array_with(["::/restapis/abc123/stages/api"])]}},
    })
