"""The stack's outputs: where the API, the web app and the provider webhooks are."""

from __future__ import annotations

import pytest

from tests.infra.conftest import Synthesized, join

pytestmark = pytest.mark.infra


def test_outputs_name_the_api_the_web_app_and_the_webhooks(synthesized: Synthesized) -> None:
    # Given the outputs
    outputs = synthesized.template["Outputs"]

    # When flattening their values
    api_url = join(outputs["ApiUrl"]["Value"])
    web_app_url = join(outputs["WebAppUrl"]["Value"])
    webhook_base_url = join(outputs["WebhookBaseUrl"]["Value"])

    # Then the API URL is the execute-api URL of the api stage, and webhooks live on their own
    # HTTP API's endpoint ($default stage: nothing between the host and /webhooks/)
    assert api_url == "https://<RestAPI>.execute-api.<AWS::Region>.<AWS::URLSuffix>/api/"
    http_api = synthesized.logical_id(synthesized.stack.webhooks.api)
    # (ApiEndpoint: https://<api id>.execute-api.<region>.<suffix>)
    assert webhook_base_url == f"<{http_api}.ApiEndpoint>/webhooks/"
    assert "{channel}/{account}" in outputs["WebhookBaseUrl"]["Description"]
    # And the web app is served by the distribution over HTTPS
    distribution = synthesized.logical_id(synthesized.stack.web.distribution)
    assert web_app_url == f"https://<{distribution}.DomainName>"


def test_email_topics_call_the_webhooks_on_their_own_api(synthesized: Synthesized) -> None:
    # Given the SNS subscriptions of the email accounts' topics
    subscriptions = [resource["Properties"] for resource in synthesized.of_type("AWS::SNS::Subscription").values()
                     if resource["Properties"]["Protocol"] == "https"]
    http_api = synthesized.logical_id(synthesized.stack.webhooks.api)
    # Then each posts to its account's webhook on the webhooks' HTTP API
    assert subscriptions
    for subscription in subscriptions:
        endpoint = join(subscription["Endpoint"])
        assert endpoint.startswith(f"<{http_api}.ApiEndpoint>/webhooks/email/")
