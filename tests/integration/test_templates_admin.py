"""Administrators keep WhatsApp templates: variables labelled by meaning, numbered or named, and
the account's approved templates synced from the provider (the simulator plays Meta's
``/<WABA id>/message_templates``); a named template goes out with ``parameter_name``."""

import requests

from tests.integration.conftest import drain
from tests.integration.inbox_support import get, picked_up, post
from tests.support import HTTP_TIMEOUT, find, wait_for


def templates_path(demo, channel="whatsapp"):
    return f"/admin/channel-accounts/{demo['accounts'][channel]['account_id']}/templates"


def test_a_template_keeps_what_its_variables_mean(runtime, api, admin, agent1, demo):
    # When the administrator adds a template with labelled numbered variables
    created = post(api, templates_path(demo), admin, {
        "name": "invoice_ready", "language": "en", "body": "Hi {{1}}, invoice {{2}} is ready.",
        "labels": {"1": "customer's first name", "2": "invoice number"}})
    # Then it is stored with its labels, and agents read them with the account's templates
    assert created.status_code == 201, created.text
    assert created.json()["labels"] == {"1": "customer's first name", "2": "invoice number"}
    listed = get(api, f"/channel-accounts/{demo['accounts']['whatsapp']['account_id']}/templates", agent1).json()
    mine = [t for t in listed["items"] if t["name"] == "invoice_ready"]
    assert mine[0]["parameters"] == ["1", "2"]
    assert mine[0]["labels"]["2"] == "invoice number"


def test_numbered_variables_run_without_gaps_and_do_not_mix_with_named_ones(runtime, api, admin, demo):
    gap = post(api, templates_path(demo), admin, {"name": "gap", "language": "en", "body": "{{1}} and {{3}}"})
    assert gap.status_code == 400
    assert "without gaps" in gap.json()["error"]["message"]
    mixed = post(api, templates_path(demo), admin, {"name": "mixed", "language": "en", "body": "{{1}} {{name}}"})
    assert mixed.status_code == 400
    assert mixed.json()["error"]["field"] == "body"
    stray = post(api, templates_path(demo), admin, {"name": "stray", "language": "en", "body": "Hi {{1}}",
                                                     "labels": {"2": "nothing"}})
    assert stray.status_code == 400
    assert stray.json()["error"]["field"] == "labels.2"


def test_sync_takes_the_providers_approved_templates(runtime, api, admin, agent1, webhook_url, demo):
    assert runtime.info is not None
    account = demo["accounts"]["whatsapp"]["account_id"]
    # Given the business account lists three templates at Meta (one still pending, one on a second page)
    # and one template here the provider does not list, with a label the administrator gave
    page = {"data": [
        {"name": "welcome_back", "language": "en", "status": "APPROVED", "parameter_format": "POSITIONAL",
         "components": [{"type": "BODY", "text": "Welcome back, {{1}}!"}]},
        {"name": "not_yet", "language": "en", "status": "PENDING",
         "components": [{"type": "BODY", "text": "Soon"}]},
        {"name": "visit_reminder", "language": "nl", "status": "APPROVED", "parameter_format": "NAMED",
         "components": [{"type": "HEADER", "format": "TEXT", "text": "Afspraak"},
                        {"type": "BODY", "text": "Hoi {{first_name}}, tot {{visit_date}}."}]}]}
    answer = requests.post(f"{runtime.info.simulator_url}/control/whatsapp/{account}/templates", json=page,
                           timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    assert post(api, templates_path(demo), admin, {"name": "welcome_back", "language": "en", "body": "Old {{1}}",
                                                   "labels": {"1": "first name"}}).status_code == 201
    post(api, templates_path(demo), admin, {"name": "only_here", "language": "en", "body": "x"}).raise_for_status()
    # When the administrator syncs
    synced = post(api, templates_path(demo) + "/sync", admin)
    # Then approved ones are added or replaced (labels of remaining variables kept), pending ones are not,
    # and the ones only kept here are reported
    assert synced.status_code == 200, synced.text
    body = synced.json()
    assert "visit_reminder (nl)" in body["added"]
    assert "welcome_back (en)" in body["updated"]
    assert "only_here (en)" in body["not_at_provider"]
    by_name = {(t["name"], t["language"]): t for t in body["items"]}
    assert by_name[("welcome_back", "en")]["body"] == "Welcome back, {{1}}!"
    assert by_name[("welcome_back", "en")]["labels"] == {"1": "first name"}
    assert by_name[("visit_reminder", "nl")]["parameters"] == ["first_name", "visit_date"]
    assert ("not_yet", "en") not in by_name
    # And a second sync changes nothing
    again = post(api, templates_path(demo) + "/sync", admin).json()
    assert again["added"] == []
    assert again["updated"] == []
    # And the named template goes to the provider with each value's parameter_name
    customer, conversation = picked_up(runtime, api, webhook_url, demo, agent1)
    conversation_id = conversation["id"]
    sent = post(api, f"/conversations/{conversation_id}/messages", agent1, {"template": {
        "name": "visit_reminder", "language": "nl", "variables": {"first_name": "Ana", "visit_date": "vrijdag"}}})
    assert sent.status_code == 202, sent.text
    assert sent.json()["text"] == "Hoi Ana, tot vrijdag."
    drain(runtime, "outbound", "send")
    simulator = runtime.info.simulator_url
    sent_out = wait_for(lambda: find(requests.get(f"{simulator}/control/outbox", timeout=HTTP_TIMEOUT).json()["items"],
                                     to=customer), what="the template at the provider")
    parameters = sent_out["payload"]["template"]["components"][0]["parameters"]
    assert parameters == [{"type": "text", "parameter_name": "first_name", "text": "Ana"},
                          {"type": "text", "parameter_name": "visit_date", "text": "vrijdag"}]


def test_sync_is_for_administrators_and_whatsapp_accounts(runtime, api, admin, agent1, demo):
    assert post(api, templates_path(demo) + "/sync", agent1).status_code == 403
    telegram = post(api, templates_path(demo, "telegram") + "/sync", admin)
    assert telegram.status_code == 400
    assert "only WhatsApp" in telegram.json()["error"]["message"]
    assert post(api, "/admin/channel-accounts/nope/templates/sync", admin).status_code == 404
