"""Exports off the request path (issue 13.4): asking answers at once with a job, the export worker builds the
file into the media bucket, and the job's owner downloads it from a short-lived signed URL, served by the
local S3 on loopback as the browser reaches it. The files' content through this path:
test_inbox_export_statistics.py."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import requests

from tests.integration.conftest import drain
from tests.integration.inbox_support import get, picked_up, post
from tests.support import HTTP_TIMEOUT


def test_an_export_is_built_by_the_worker_and_downloaded_by_its_owner_only(runtime, api, agent1, agent2, webhook_url,
                                                                           demo):
    # Given agent1's conversation with a reply
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1, text="Where is my parcel?")
    path = f"/conversations/{conversation['id']}"
    post(api, path + "/messages", agent1, {"text": "On its way"}).raise_for_status()
    # When agent1 asks for it as CSV
    asked = post(api, path + "/exports", agent1, {"format": "csv"})
    # Then the answer comes at once: a pending job, with where to read it again
    assert asked.status_code == 202, asked.text
    job = asked.json()
    assert job["status"] == "pending"
    assert job["url"] is None
    assert asked.headers["Location"] == job["status_url"] == f"/exports/{job['id']}"
    assert get(api, job["status_url"], agent1).json()["status"] == "pending"
    # When the export worker has run
    drain(runtime, "exports", rounds=200)
    ready = get(api, job["status_url"], agent1).json()
    # Then the job is ready, with a URL signed for a few minutes on the runtime's own S3 (moto on loopback)
    assert ready["status"] == "ready", ready
    assert runtime.info is not None
    assert urlsplit(ready["url"]).netloc == urlsplit(runtime.info.moto_url).netloc
    assert urlsplit(ready["url"]).path.endswith(f"/exports/{job['id']}/conversation-{conversation['id']}.csv")
    assert ready["url_expires_at"] is not None
    # And the browser downloads it from the web app's origin: the file, saved under its name
    download = requests.get(ready["url"], headers={"Origin": runtime.info.web_url}, timeout=HTTP_TIMEOUT)
    assert download.status_code == 200
    assert download.headers["Access-Control-Allow-Origin"] in {"*", runtime.info.web_url}
    assert download.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{job['filename']}"
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:] if row[1].startswith("message")] == ["Where is my parcel?", "On its way"]
    # And the URL says nothing to anyone else: the job is agent1's alone
    other = get(api, job["status_url"], agent2)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    assert get(api, "/exports/" + "0" * 32, agent1).status_code == 404
    assert get(api, "/exports/not-an-id", agent1).status_code == 404


def test_asking_for_an_export_refuses_bad_input_and_strangers_at_once(runtime, api, agent1, admin, outsider,
                                                                      webhook_url, demo):
    # Given agent1's conversation
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}/exports"
    # Then a format there is none of is refused naming the field, and no job is made
    bad = post(api, path, agent1, {"format": "docx"})
    assert bad.status_code == 400, bad.text
    assert bad.json()["error"]["field"] == "format"
    # And an agent of another team is refused before any job exists, as for every read of the conversation
    refused = post(api, path, outsider, {"format": "csv"})
    assert refused.status_code == 403
    # And a statistics span the wrong way round is refused naming it
    backwards = post(api, "/statistics/exports", admin, {"since": "2026-01-02T00:00:00+00:00",
                                                         "until": "2026-01-01T00:00:00+00:00"})
    assert backwards.status_code == 400, backwards.text
    assert backwards.json()["error"]["field"] == "since"
