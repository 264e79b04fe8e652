"""A provider timestamp far ahead of our clock is bounded: a message dated a month ahead does not
keep a 24-hour reply window open for a month."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.integration.inbox_support import by_customer, deliver, get
from tests.support import new_wa_id


def test_a_message_dated_a_month_ahead_opens_a_window_from_now(runtime, api, webhook_url, demo, admin):
    # Given a WhatsApp message whose timestamp is 30 days in the future
    wa_id = new_wa_id()
    deliver(runtime, webhook_url, demo, wa_id, "from the future", timestamp=int(time.time()) + 30 * 86400)
    # When its conversation is read
    found = by_customer(api, admin, wa_id)
    assert found is not None
    conversation = get(api, f"/conversations/{found['id']}", admin).json()
    # Then the window closes about 24 hours from now, not in 31 days
    closes = datetime.fromisoformat(conversation["window_closes_at"])
    assert closes <= datetime.now(UTC) + timedelta(hours=24, minutes=10)
    assert conversation["window_open"] is True
