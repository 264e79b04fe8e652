"""The optional monthly cost budget: its limit, its three notifications to the alarm topic, the
topic's permission for Budgets, and the context value's checks."""

from __future__ import annotations

import pytest
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from infra.constructs.budget import THRESHOLDS, CostBudget, monthly_budget
from tests.infra.conftest import Synthesized, empty_stack

pytestmark = pytest.mark.infra


def test_the_budget_tells_the_alarm_topic_of_forecast_and_actual_spend() -> None:
    # Given a budget of $300 a month on a topic
    stack = empty_stack()
    topic = sns.Topic(stack, "Alarms")
    CostBudget(stack, "Budget", name="acme-monthly", monthly_usd=300, topic=topic)
    template = Template.from_stack(stack)

    # Then it is a monthly cost budget of 300 USD
    (budget,) = template.find_resources("AWS::Budgets::Budget").values()
    data = budget["Properties"]["Budget"]
    assert (data["BudgetType"], data["TimeUnit"], data["BudgetLimit"]) == ("COST", "MONTHLY",
                                                                          {"Amount": 300, "Unit": "USD"})
    # And a forecast past the limit, actual spend past 80 % and past the limit each publish to the topic
    notifications = budget["Properties"]["NotificationsWithSubscribers"]
    assert [(n["Notification"]["NotificationType"], n["Notification"]["Threshold"]) for n in notifications] \
        == list(THRESHOLDS) == [("FORECASTED", 100), ("ACTUAL", 80), ("ACTUAL", 100)]
    topic_ref = {"Ref": stack.get_logical_id(topic.node.default_child)}  # type: ignore[arg-type]
    assert all(n["Subscribers"] == [{"SubscriptionType": "SNS", "Address": topic_ref}] for n in notifications)
    # And the topic lets Budgets publish, for this account only
    template.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "BudgetsPublish", "Effect": "Allow", "Action": "sns:Publish",
                           "Principal": {"Service": "budgets.amazonaws.com"},
                           "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}})])}})


@pytest.mark.parametrize(("value", "amount"), [(None, None), ("", None), ("300", 300.0), (250, 250.0),
                                               ("99.5", 99.5)])
def test_the_context_value_is_an_amount_of_dollars_or_absent(value: object, amount: float | None) -> None:
    assert monthly_budget(value) == amount


@pytest.mark.parametrize("value", ["0", "-5", "three hundred", "inf", "nan"])
def test_a_budget_that_is_not_a_positive_amount_stops_the_synthesis(value: str) -> None:
    with pytest.raises(ValueError, match="monthly_budget_usd must be a positive amount of US dollars"):
        monthly_budget(value)


def test_the_stack_has_the_budget_the_context_asks_for(synthesized: Synthesized) -> None:
    (budget,) = synthesized.of_type("AWS::Budgets::Budget").values()
    assert budget["Properties"]["Budget"]["BudgetLimit"] == {"Amount": 500, "Unit": "USD"}
    assert budget["Properties"]["Budget"]["BudgetName"] == f"{synthesized.app_name}-monthly"
