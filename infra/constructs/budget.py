"""A monthly cost budget told through the alarm topic (opt-in: ``-c monthly_budget_usd=N``).

AWS Budgets counts the account's spend, not the stack's: a tag-filtered budget would show nothing
until the tag is activated for cost allocation in the Billing console, which a deployment cannot
do, and a budget that silently shows $0 is worse than none. docs/deploy.md ("Cost budget") says
so, and how to pick the amount from the cost probe's monthly bill.
"""

from __future__ import annotations

import math

from aws_cdk import Aws
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

# (kind, percent of the limit): a forecast past the limit warns early in the month; actual spend
# past 80 % and past the limit says it is happening.
THRESHOLDS: tuple[tuple[str, int], ...] = (("FORECASTED", 100), ("ACTUAL", 80), ("ACTUAL", 100))


def monthly_budget(value: object) -> float | None:
    """The ``monthly_budget_usd`` context value: absent (no budget) or a positive amount of US dollars."""
    if value is None or value == "":
        return None
    try:
        amount = float(str(value))
    except ValueError:
        amount = 0.0
    if not (math.isfinite(amount) and amount > 0):
        raise ValueError(f"monthly_budget_usd must be a positive amount of US dollars, e.g. 300; got {value!r}")
    return amount


class CostBudget(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, name: str, monthly_usd: float,
                 topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        # Budgets publishes to the topic as its service, for this account's budgets only.
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="BudgetsPublish", actions=["sns:Publish"], resources=[topic.topic_arn],
            principals=[iam.ServicePrincipal("budgets.amazonaws.com")],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        subscribers = [budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic.topic_arn)]
        self.budget = budgets.CfnBudget(
            self, "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=name, budget_type="COST", time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=monthly_usd, unit="USD")),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type=kind, comparison_operator="GREATER_THAN", threshold=percent,
                        threshold_type="PERCENTAGE"),
                    subscribers=subscribers)
                for kind, percent in THRESHOLDS])
