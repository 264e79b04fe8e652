"""A regional WAF web ACL on the REST API's stage: AWS's managed rule groups and a per-IP rate rule."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Fn, Validations
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

# Managed rule groups (vendor AWS), in evaluation order.
MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
)
# Rules of the common rule set that only count: message text is what customers and agents write
# (a customer may paste markup; an email notification from SNS is larger than 8 KB), and the web
# app renders it as text, so blocking on it would lose real messages.
COUNT_ONLY_COMMON_RULES: tuple[str, ...] = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY")


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)


class ApiFirewall(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, name: str, rest_api_id: str, stage_name: str,
                 stage_logical_id: str, requests_per_ip_per_5_minutes: int) -> None:
        super().__init__(scope, construct_id)
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group, priority=priority, override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}))
                            for rule in COUNT_ONLY_COMMON_RULES] if group == "AWSManagedRulesCommonRuleSet" else None)),
                visibility_config=_visibility(group))
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(wafv2.CfnWebACL.RuleProperty(
            name="PerIpRate", priority=len(rules), action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=requests_per_ip_per_5_minutes, aggregate_key_type="IP")),
            visibility_config=_visibility("PerIpRate")))
        self.web_acl = wafv2.CfnWebACL(
            self, "WebAcl", name=name, scope="REGIONAL", default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules, visibility_config=_visibility(name))
        stage_arn = Fn.join("", [f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/", rest_api_id,
                                 f"/stages/{stage_name}"])
        self.association = wafv2.CfnWebACLAssociation(self, "Association", resource_arn=stage_arn,
                                                      web_acl_arn=self.web_acl.attr_arn)
        # The stage exists only after the SAM transform (SAM names it <api><stage>Stage); the
        # association must wait for it.
        self.association.add_override("DependsOn", [stage_logical_id])
        Validations.of(self.association).acknowledge(Acknowledgment(
            id="CloudFormation-Validate::E3005",
            reason=f"{stage_logical_id} is created by the SAM transform at deployment, after synthesis."))
