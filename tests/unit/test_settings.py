"""The functions' settings: every value the stack sets is required, and a Lambda function
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
