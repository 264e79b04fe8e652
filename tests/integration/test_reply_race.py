"""A reply is stored (and sent) only on the conversation as it was checked: an archive, a
hand-back or a reassignment that lands between the check and the write refuses the reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from chalicelib import wiring
from chalicelib.domain.compose import Composer
from chalicelib.domain.compose_models import Draft
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import principal_for
from chalicelib.storage.lifecycle import ConversationStateStore
from chalicelib.storage.repository import ContactRepository

from tests.integration.inbox_support import get, online, picked_up, post


class _InterruptingRepository(ContactRepository):
    """Runs ``meanwhile`` once, right after the composer has checked state and owner."""

    def __init__(self, meanwhile: Callable[[], None]) -> None:
        super().__init__()
        self._meanwhile: Callable[[], None] | None = meanwhile

    def last_inbound_message(self, conversation: Any) -> Any:
        run, self._meanwhile = self._meanwhile, None
        if run is not None:
            run()
        return super().last_inbound_message(conversation)


def _composer(repository: ContactRepository) -> Composer:
    real = wiring.composer()
    return Composer(repository, ConversationStateStore(), real._templates, real._media, real._publisher,
                    real._stats, real._clock, customers=real._customers, consent=real._consent,
                    events=real._events, accounts=real._accounts)


@pytest.mark.parametrize("meanwhile", ["archive", "handback", "reassign"])
def test_a_reply_held_between_check_and_write_is_refused(runtime, api, webhook_url, demo, agent1, agent2, admin,
                                                         user_ids, meanwhile):
    # Given agent1's conversation, and a reply of agent1's held after its checks
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    actions = {
        "archive": lambda: post(api, f"{path}/archive", agent1, {}),
        "handback": lambda: post(api, f"{path}/handback", agent1, {}),
        "reassign": lambda: post(api, f"{path}/assign", admin, {"agent_id": user_ids["agent2@example.com"]}),
    }
    done: list[Any] = []
    composer = _composer(_InterruptingRepository(lambda: done.append(actions[meanwhile]())))
    agent = principal_for(wiring.user_store().get(user_ids["agent1@example.com"]), None)
    # When the conversation is archived, handed back or reassigned (to agent2, online) in between
    with online(api, {user_ids["agent2@example.com"]: agent2}), pytest.raises(Conflict):
        composer.reply(agent, conversation["id"], Draft(text="slipped through"))
    # Then the interruption happened, and no reply was stored
    assert done, "nothing ran in between"
    assert done[0].status_code == 200, done[0].text
    messages = get(api, f"{path}/messages", admin).json()["items"]
    assert "slipped through" not in [message.get("text") for message in messages]
