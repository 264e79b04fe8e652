"""A queue worker killed in the middle of a batch loses nothing and stores nothing twice.

The local runtime runs without pollers; the workers run in a process of their own
(``python -m local.workers``), slowed down so that the kill lands mid-batch. After the restart,
the messages the dead worker had received come back once their visibility timeout ends."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import requests

from local.processes import start_system, start_workers
from tests.support import HTTP_TIMEOUT, login, new_wa_id, post_whatsapp, wait_for, whatsapp_text

CUSTOMERS = 30
VISIBILITY_SECONDS = 4
WORKER_ARGS = ("--visibility-timeout", str(VISIBILITY_SECONDS))


def stored_texts(api: str, headers: dict[str, str]) -> list[str]:
    """Every message text in every New conversation, read through the agents' API."""
    texts: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"view": "new", "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = requests.get(f"{api}/conversations", params=params, headers=headers, timeout=HTTP_TIMEOUT).json()
        for conversation in page["items"]:
            messages = requests.get(f"{api}/conversations/{conversation['id']}/messages", headers=headers,
                                    timeout=HTTP_TIMEOUT).json()["items"]
            texts.extend(message["text"] for message in messages)
        cursor = page.get("next_cursor")
        if not cursor:
            return texts


def test_killed_worker_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    system = start_system(tmp_path, "--no-pollers")
    workers = None
    try:
        info, demo = system.info, system.info["demo"]
        api = info["api_url"]
        agent = login(api, "agent1@example.com", demo["password"])
        webhook = f"{info['webhook_base_url']}/whatsapp/{demo['whatsapp']['account_id']}"
        # Given 30 customers' messages waiting on the inbound queue
        expected = [f"message from customer {n}" for n in range(CUSTOMERS)]
        for text in expected:
            body = whatsapp_text(demo["whatsapp"]["phone_number_id"], wa_id=new_wa_id(), text=text)
            assert post_whatsapp(webhook, body, demo["whatsapp"]["app_secret"]).status_code == 200

        # When a slow worker has stored some of them and is killed in the middle of its batch
        workers = start_workers(system, tmp_path / "workers.log", *WORKER_ARGS, "--slow-records", "0.3")
        wait_for(lambda: len(stored_texts(api, agent)) >= 3 or None, timeout=30, what="first messages stored")
        workers.send_signal(signal.SIGKILL)
        workers.wait(timeout=10)
        stored_at_crash = len(stored_texts(api, agent))
        assert stored_at_crash < CUSTOMERS, "the kill came too late to land mid-batch"

        # And a new worker starts
        workers = start_workers(system, tmp_path / "workers.log", *WORKER_ARGS)
        wait_for(lambda: len(stored_texts(api, agent)) >= CUSTOMERS or None, timeout=60,
                 what="every message stored after the restart")

        # Then every message is stored exactly once, even after the received ones came back
        # (give any redelivery of a message already stored the time to arrive and be counted)
        time.sleep(VISIBILITY_SECONDS + 2)
        assert sorted(stored_texts(api, agent)) == sorted(expected)
    finally:
        if workers is not None and workers.poll() is None:
            workers.kill()
            workers.wait(timeout=10)
        system.stop()
