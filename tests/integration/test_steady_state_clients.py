"""A warm function makes no new boto3 client per event: clients (and Powertools' providers that own
one) are made once per Lambda container and reused, and the local runtime keeps them per function
the same way. A client costs tens of milliseconds of CPU (botocore loads its service and endpoint
models); made per request, it was most of the local runtime's CPU per webhook and capped it near
6 webhooks a second, and in Lambda it would add the same to every invocation."""

from typing import Any

import botocore.session
import pytest

from tests.integration.conftest import drain
from tests.support import new_wa_id, post_whatsapp, whatsapp_text


@pytest.fixture
def clients_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    create_client = botocore.session.Session.create_client

    def counting(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    return made


def _deliver(webhook_url: str, demo: dict[str, Any], runtime: Any, count: int) -> None:
    for _ in range(count):
        body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=new_wa_id(), text="steady")
        assert post_whatsapp(webhook_url, body, demo["whatsapp"]["app_secret"]).status_code == 200
    drain(runtime, "inbound", "statuses", "media", "assignment", "out-of-office")


def test_webhooks_and_their_workers_reuse_their_clients(runtime, webhook_url, demo, inbound_url, clients_made):
    _deliver(webhook_url, demo, runtime, 2)  # warm: first use makes each function's clients
    clients_made.clear()
    _deliver(webhook_url, demo, runtime, 3)
    assert clients_made == [], f"boto3 clients made per event once warm: {clients_made}"
