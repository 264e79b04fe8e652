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

    # Then the API URL is the execute-api URL of the api stage, and webhooks live under it
    assert api_url == "https://<RestAPI>.execute-api.<AWS::Region>.<AWS::URLSuffix>/api/"
    assert webhook_base_url == f"{api_url}webhooks/"
    assert "{channel}/{account}" in outputs["WebhookBaseUrl"]["Description"]
    # And the web app is served by the distribution over HTTPS
    distribution = synthesized.logical_id(synthesized.stack.web.distribution)
    assert web_app_url == f"https://<{distribution}.DomainName>"
