"""Out-of-office messages with a picture in the settings: the administrator attaches one (checked
against the channel first, then uploaded to the presigned URL), saves, and reads it back."""

from playwright.sync_api import expect

from tests.browser.conftest import api_call, api_headers, screenshot, sign_in
from tests.browser.test_conversation_work import PNG_1X1 as PNG


def test_an_administrator_attaches_a_picture_to_an_out_of_office_message_and_reads_it_back(system, page):
    info = system.info
    admin = api_headers(info)
    account = info["demo"]["whatsapp"]["account_id"]
    before = api_call(info, "GET", f"/channel-accounts/{account}/out-of-office", admin)["messages"]
    name = info["demo"]["accounts"]["whatsapp"]["name"]
    try:
        # Given the administrator on the out-of-office page, writing a new message for WhatsApp
        sign_in(page, info, email="admin@example.com")
        page.goto(f"{info['web_url']}#/settings/out-of-office")
        section = page.get_by_role("region", name=f"Out of office: {name}")
        section.get_by_role("button", name="Add message").click()
        row = section.get_by_test_id("ooo-message").last
        row.get_by_role("textbox").fill("We are closed; our opening hours:")

        # When they choose a file WhatsApp does not carry, Then it is refused before any upload
        uploads = []
        page.on("request", lambda r: uploads.append(r.url) if "/out-of-office/uploads" in r.url else None)
        row.get_by_test_id("ooo-file-input").set_input_files(
            {"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"})
        expect(row.get_by_test_id("attachment-warning")).to_contain_text("WhatsApp cannot carry")
        assert uploads == []

        # When they attach a picture instead and save
        with page.expect_response(lambda r: "/out-of-office/uploads" in r.url and r.status == 201):
            row.get_by_test_id("ooo-file-input").set_input_files(
                {"name": "hours.png", "mimeType": "image/png", "buffer": PNG})
        expect(row.get_by_test_id("ooo-media")).to_have_text("hours.png")
        expect(row.get_by_test_id("attachment-warning")).to_have_count(0)
        section.get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("status")).to_have_text(f"Out-of-office messages of {name} saved.")
        screenshot(page, "settings-out-of-office-media")

        # Then the API has the message with the picture S3 stored
        saved = api_call(info, "GET", f"/channel-accounts/{account}/out-of-office", admin)["messages"][-1]
        assert saved["text"] == "We are closed; our opening hours:"
        assert (saved["media"]["filename"], saved["media"]["content_type"], saved["media"]["size"]) == (
            "hours.png", "image/png", len(PNG))

        # And reading the settings again shows it; removing it and saving keeps the text only
        page.reload()
        row = page.get_by_role("region", name=f"Out of office: {name}").get_by_test_id("ooo-message").last
        expect(row.get_by_test_id("ooo-media")).to_have_text("hours.png")
        row.get_by_role("button", name="Remove the file of message").click()
        page.get_by_role("region", name=f"Out of office: {name}").get_by_role("button", name="Save").click()
        expect(page.get_by_test_id("status")).to_contain_text("saved")
        saved = api_call(info, "GET", f"/channel-accounts/{account}/out-of-office", admin)["messages"][-1]
        assert (saved["text"], saved["media"]) == ("We are closed; our opening hours:", None)
    finally:
        api_call(info, "PUT", f"/channel-accounts/{account}/out-of-office", admin, {"messages": [
            {"text": m["text"], **({"media": {"key": m["media"]["key"], "filename": m["media"]["filename"]}}
                                   if m["media"] else {})} for m in before]})
