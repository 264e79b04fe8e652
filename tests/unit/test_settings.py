"""The functions' settings: every value the stack always sets is required, and a Lambda function
without one fails while it starts, naming what is missing."""

import pytest
from chalicelib.core import resources
from chalicelib.core.settings import MissingSettings, get_settings, require_at_cold_start


def test_a_missing_variable_is_named_when_the_settings_are_read(monkeypatch):
    # Given the functions' environment without the media bucket and the send queue
    monkeypatch.delenv(resources.ENV_MEDIA_BUCKET)
    monkeypatch.setenv(resources.queue_url_env(resources.SEND_QUEUE), "")
    get_settings.cache_clear()
    # Then reading the settings fails, naming both
    with pytest.raises(MissingSettings) as failure:
        get_settings()
    assert resources.ENV_MEDIA_BUCKET in str(failure.value)
    assert resources.queue_url_env(resources.SEND_QUEUE) in str(failure.value)


def test_a_lambda_function_reads_them_at_cold_start_and_packaging_does_not(monkeypatch):
    monkeypatch.delenv(resources.ENV_USER_POOL_ID)
    get_settings.cache_clear()
    # Given no Lambda environment (chalice package imports the app like this): nothing is read
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    require_at_cold_start()
    # When the same import happens in a Lambda function, the cold start fails
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "open-contact-dev-route_inbound")
    with pytest.raises(MissingSettings, match=resources.ENV_USER_POOL_ID):
        require_at_cold_start()


def test_the_complete_environment_gives_the_settings():
    settings = get_settings()
    assert settings.media_bucket
    assert set(settings.queue_urls) == {queue.key for queue in resources.QUEUES}


def test_the_public_urls_are_optional_and_read_without_their_trailing_slash(monkeypatch):
    # Given a function the stack deployed without -c public_api_url (the API handler cannot name
    # its own REST API) and a worker, which is not given the webhooks' base
    monkeypatch.delenv(resources.ENV_PUBLIC_API_URL, raising=False)
    monkeypatch.delenv(resources.ENV_PUBLIC_WEBHOOK_URL, raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "open-contact-dev-route_inbound")
    get_settings.cache_clear()
    # Then it starts, with neither set
    require_at_cold_start()
    assert (get_settings().public_api_url, get_settings().public_webhook_url) == ("", "")
    # And the API handler reads the webhooks' base the stack gives it
    monkeypatch.setenv(resources.ENV_PUBLIC_WEBHOOK_URL, "https://h7tq4m2z9c.execute-api.eu-west-1.amazonaws.com/")
    get_settings.cache_clear()
    assert get_settings().public_webhook_url == "https://h7tq4m2z9c.execute-api.eu-west-1.amazonaws.com"
