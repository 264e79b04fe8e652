"""Export of one conversation (notes included, formulas neutralised) as CSV, XLSX and PDF, and
statistics read from the counters the work maintains."""

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from tests.integration.inbox_support import exported, get, picked_up, post


def test_a_conversation_exports_with_its_notes_in_three_formats(runtime, api, agent1, watcher, webhook_url, demo):
    # Given a conversation whose customer wrote a formula, with a reply and a note
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1, text="=HYPERLINK(\"http://x\")")
    path = f"/conversations/{conversation['id']}"
    post(api, path + "/messages", agent1, {"text": "Hello 👋"}).raise_for_status()
    post(api, path + "/notes", agent1, {"text": "@check refund"}).raise_for_status()
    # When it is exported as CSV (a watcher may export too)
    response = exported(runtime, api, path + "/exports", watcher, {"format": "csv"})
    # Then the file comes as an attachment with every line, formulas neutralised
    assert response.status_code == 200
    filename = f"conversation-{conversation['id']}.csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename*=UTF-8''{filename}"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["time", "type", "from", "content"]
    contents = [row[3] for row in rows[1:] if row[1] != "system"]  # story lines: test_thread_story.py
    assert contents == ["'=HYPERLINK(\"http://x\")", "Hello 👋", "'@check refund"]
    assert [row[3] for row in rows[1:] if row[1] == "system"] == ["Picked up by Alex Agent"]
    assert rows[-1][1] == "note"
    # And as XLSX, where the cell is text, not a formula
    xlsx = exported(runtime, api, path + "/exports", agent1, {"format": "xlsx"})
    assert xlsx.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["D2"].value == "'=HYPERLINK(\"http://x\")"
    assert sheet["D2"].data_type == "s"
    assert sheet["D5"].value == "'@check refund"  # after the picked-up line (D3) and the reply
    # And as PDF
    pdf = exported(runtime, api, path + "/exports", agent1, {"format": "pdf"})
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert post(api, path + "/exports", agent1, {"format": "doc"}).status_code == 400


def test_statistics_count_the_work_as_it_happens(runtime, api, agent1, admin, watcher, user_ids, webhook_url, demo):
    now = datetime.now(UTC)
    span = {"since": (now - timedelta(hours=1)).isoformat(), "until": (now + timedelta(hours=1)).isoformat()}
    before = get(api, "/statistics", admin, **span).json()
    # Given a conversation created, picked up by agent1, replied to and archived with a tag
    _, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    path = f"/conversations/{conversation['id']}"
    post(api, path + "/messages", agent1, {"text": "done"}).raise_for_status()
    post(api, path + "/archive", agent1, {"tags": ["stats-probe"]}).raise_for_status()
    # When an administrator (or a watcher) reads the statistics of the span
    after = get(api, "/statistics", watcher, **span).json()
    agent = user_ids["agent1@example.com"]
    # Then each count moved by exactly this work
    assert after["created"] == before["created"] + 1
    assert after["by_channel"]["whatsapp"] == before["by_channel"].get("whatsapp", 0) + 1
    assert after["by_tag"]["stats-probe"] == before["by_tag"].get("stats-probe", 0) + 1
    assert after["by_state"]["archived"] == before["by_state"].get("archived", 0) + 1
    for what in ("assigned", "archived", "replies"):
        assert after["by_agent"][agent][what] == before["by_agent"].get(agent, {}).get(what, 0) + 1
    assert sum(day["created"] for day in after["per_day"]) == after["created"]
    assert set(after["current"]) == {"new", "assigned"}
    # And agents may not read statistics; a span without offset is refused
    assert get(api, "/statistics", agent1, **span).status_code == 403
    assert get(api, "/statistics", admin, since="2024-01-01T00:00:00", until="2024-01-02T00:00:00").status_code == 400
