"""Statistics that answer "how are we doing" (issue 17.5), through the HTTP API: first response
time, time to archive and duration per agent and channel against the period before, and the CSV
export watchers may download too."""

import csv
import io
from datetime import UTC, datetime, timedelta

from tests.integration.inbox_support import exported, get, new_conversation, post


def span() -> dict[str, str]:
    return {"since": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "until": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}


def test_a_reply_and_an_archive_show_in_the_response_times_and_their_export(runtime, api, agent1, admin, watcher,
                                                                            user_ids, webhook_url, demo):
    agent1_id = user_ids["agent1@example.com"]
    before = get(api, "/statistics", admin, **span()).json()["response_times"]
    counted = before["first_response"]["by_agent"].get(agent1_id, {}).get("current", {}).get("count", 0)
    # Given a customer agent1 answers twice and archives
    _, conversation = new_conversation(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    post(api, path + "/pickup", agent1).raise_for_status()
    assert post(api, path + "/messages", agent1, {"text": "Looking into it"}).status_code == 202
    assert post(api, path + "/messages", agent1, {"text": "Found it"}).status_code == 202
    post(api, path + "/archive", agent1, {}).raise_for_status()
    # Then the statistics count one more first response (only the first reply) and archive for agent1
    answer = get(api, "/statistics", admin, **span())
    assert answer.status_code == 200, answer.text
    times = answer.json()["response_times"]
    mine = times["first_response"]["by_agent"][agent1_id]["current"]
    assert mine["count"] == counted + 1
    assert mine["median_seconds"] is not None
    assert times["first_response"]["by_channel"]["whatsapp"]["current"]["count"] >= 1
    assert times["time_to_archive"]["by_agent"][agent1_id]["current"]["count"] >= 1
    assert times["duration"]["overall"]["current"]["count"] >= 1
    assert times["previous_until"] is not None
    # And a watcher exports them as CSV, the agent by name
    as_csv = exported(runtime, api, "/statistics/exports", watcher, span())
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["metric", "group", "name"]
    assert ["first_response", "agent", "Alex Agent"] in [row[:3] for row in rows]
    # And agents may not, and a span without offsets is refused naming it
    assert post(api, "/statistics/exports", agent1, span()).status_code == 403
    naive = post(api, "/statistics/exports", admin, {"since": "2026-01-01T00:00:00", "until": "2026-01-02T00:00:00"})
    assert naive.status_code == 400
