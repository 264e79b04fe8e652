"""Customer profiles: created at ingest and found by any address, beside the conversation, search
(exact and prefix, paged; the Like operator in test_customer_search.py), custom attributes,
merging (one transaction, and a stepwise merge stopped halfway and resumed), and the
communication log in the history and the export."""

import secrets
from datetime import UTC, datetime

import pytest
from chalicelib import wiring
from chalicelib.domain.customer_merge import CustomerMerger
from chalicelib.domain.customers import Address, AddressKind, MergeState
from chalicelib.domain.identity import Principal
from chalicelib.storage.customer_merge import MergeStore, SourceItems
from chalicelib.storage.customers import CustomerStore

from tests.integration.customer_support import new_phone, new_sms_account, texts, twilio_accepts, writes_on_whatsapp
from tests.integration.inbox_support import by_customer, delete, exported, get, patch, post, put
from tests.loopback import loopback_server


@pytest.fixture(scope="module")
def sms(runtime):
    with loopback_server(twilio_accepts()) as twilio:
        yield new_sms_account(runtime, twilio)


def profile_of(api, headers, conversation_id):
    response = get(api, f"/conversations/{conversation_id}/customer", headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_ingest_creates_one_profile_found_by_its_address(runtime, api, agent1, webhook_url, demo):
    # Given a customer writes twice on WhatsApp
    phone = new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "hello", name="Ingrid Ingest")
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "anyone there?", name="Ingrid Ingest")
    conversation = by_customer(api, agent1, phone.removeprefix("+"))
    # When the agent opens the customer beside the conversation
    customer = profile_of(api, agent1, conversation["id"])
    # Then one profile holds the phone address (serving WhatsApp and SMS), the name and the conversation
    assert customer["profile"]["name"] == "Ingrid Ingest"
    assert [(a["address"], a["channels"]) for a in customer["addresses"]] == [
        (f"phone:{phone}", ["whatsapp", "sms"])]
    assert [c["id"] for c in customer["conversations"]] == [conversation["id"]]
    assert customer["conversations"][0]["readable"] is True
    # And the profile is found by that address (exact phone search, 00 written)
    found = get(api, "/customers", agent1, field="phone", q="00" + phone[1:]).json()["items"]
    assert [item["id"] for item in found] == [customer["profile"]["id"]]


def test_exact_and_prefix_search_page_with_a_cursor(runtime, api, agent1, webhook_url, demo):
    # Given three customers whose names start alike, and one whose name only contains it
    stem = "Zq" + secrets.token_hex(3)
    for first in ("Anna", "Ánne", "Arno"):
        writes_on_whatsapp(runtime, webhook_url, demo, new_phone(), "hi", name=f"{stem} {first}")
    writes_on_whatsapp(runtime, webhook_url, demo, new_phone(), "hi", name=f"Bo {stem}")
    # When searching by prefix two at a time
    first = get(api, "/customers", agent1, field="name", q=f"{stem.lower()} A%", limit=2).json()
    # (a cursor pages the search it came from: the same q, case and all)
    second = get(api, "/customers", agent1, field="name", q=f"{stem.lower()} A%", limit=2,
                 cursor=first["next_cursor"]).json()
    # Then the pages hold the three, in name order (accents and case folded), and end
    names = [item["name"] for item in first["items"] + second["items"]]
    assert names == [f"{stem} Anna", f"{stem} Ánne", f"{stem} Arno"]
    assert first["next_cursor"]
    assert len(first["items"]) == 2
    assert second["next_cursor"] is None or get(api, "/customers", agent1, field="name", q=f"{stem.lower()} A%",
                                                cursor=second["next_cursor"]).json()["items"] == []
    # And the exact operator (the default) finds one, whatever the case and accents
    exact = get(api, "/customers", agent1, field="name", q=f"{stem.upper()}  ANNE").json()["items"]
    assert [item["name"] for item in exact] == [f"{stem} Ánne"]


def test_custom_attributes_are_checked_against_their_definitions(runtime, api, admin, agent1, webhook_url, demo):
    # Given an administrator defines a choice and a date attribute (agents may not)
    key = "tier_" + secrets.token_hex(3)
    definition = {"key": key, "label": "Tier", "type": "choice", "choices": ["gold", "silver"]}
    assert post(api, "/customer-attributes", agent1, definition).status_code == 403
    assert post(api, "/customer-attributes", admin, definition).status_code == 201
    born = "born_" + secrets.token_hex(3)
    birthday = {"key": born, "label": "Birthday", "type": "date"}
    assert post(api, "/customer-attributes", admin, birthday).status_code == 201
    assert post(api, "/customer-attributes", admin, {"key": "x_" + secrets.token_hex(2), "label": "X",
                                                     "type": "choice"}).status_code == 400
    phone = new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "hi")
    customer_id = profile_of(api, agent1, by_customer(api, agent1, phone[1:])["id"])["profile"]["id"]
    # When an agent sets valid values
    changed = patch(api, f"/customers/{customer_id}", agent1, {"attributes": {key: "gold", born: "1990-02-03"},
                                                                "language": "nl"})
    # Then they are stored as given
    assert changed.status_code == 200, changed.text
    assert changed.json()["profile"]["attributes"] == {key: "gold", born: "1990-02-03"}
    # And a value outside the choices, a non-date, or an undefined key is refused naming it
    for attributes, field in (({key: "bronze"}, key), ({born: "3 Feb"}, born), ({"nope": 1}, "nope")):
        refused = patch(api, f"/customers/{customer_id}", agent1, {"attributes": attributes})
        assert refused.status_code == 400
        assert refused.json()["error"]["field"] == f"attributes.{field}"
    # And null removes a value; the definitions can be changed and removed by administrators
    assert patch(api, f"/customers/{customer_id}", agent1, {"attributes": {key: None}}).json()["profile"][
        "attributes"] == {born: "1990-02-03"}
    definition["label"] = "Level"
    assert put(api, f"/customer-attributes/{key}", admin, definition).json()["label"] == "Level"
    assert delete(api, f"/customer-attributes/{key}", admin).status_code == 204
    assert key not in [d["key"] for d in get(api, "/customer-attributes", agent1).json()["items"]]


def test_profiles_on_two_channels_merge_in_one_transaction(runtime, api, agent1, webhook_url, demo, sms):
    # Given a customer known on WhatsApp and, by another number, on SMS, with a call logged on the SMS profile
    whatsapp_phone, sms_phone = new_phone(), new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, whatsapp_phone, "hi on WhatsApp", name="Mia Merge")
    texts(runtime, sms, sms_phone, "hi by SMS")
    kept = profile_of(api, agent1, by_customer(api, agent1, whatsapp_phone[1:])["id"])
    source = profile_of(api, agent1, by_customer(api, agent1, sms_phone[1:])["id"])
    kept_id, source_id = kept["profile"]["id"], source["profile"]["id"]
    assert kept_id != source_id
    logged = post(api, f"/customers/{source_id}/log", agent1,
                  {"direction": "inbound", "medium": "phone", "text": "called about the parcel"})
    assert logged.status_code == 201, logged.text
    # When the agent merges the SMS profile into the WhatsApp one
    merged = post(api, f"/customers/{kept_id}/merge", agent1, {"source_id": source_id})
    # Then the merge is recorded: who, when, what, done in one transaction
    assert merged.status_code == 200, merged.text
    record = merged.json()
    assert (record["state"], record["single_transaction"], record["by_id"]) == ("done", True, agent1_id(api, agent1))
    assert record["addresses"] == [f"phone:{sms_phone}"]
    assert record["log_entries"] == 1
    # And the kept profile has both addresses, both conversations (two channels) and the logged call
    customer = get(api, f"/customers/{kept_id}", agent1).json()
    assert {a["address"] for a in customer["addresses"]} == {f"phone:{whatsapp_phone}", f"phone:{sms_phone}"}
    assert {c["channel"] for c in customer["conversations"]} == {"whatsapp", "sms"}
    # (both still open: the SMS one's open marker moved with its record)
    assert set(CustomerStore().open_conversation_ids(kept_id)) == {c["id"] for c in customer["conversations"]}
    assert CustomerStore().open_conversation_ids(source_id) == []
    assert [entry["text"] for entry in customer["log"]] == ["called about the parcel"]
    assert customer["merges"][0]["source_id"] == source_id
    # (named as they were when merged, so the history shows names, not ids)
    assert (customer["merges"][0]["kept_name"], customer["merges"][0]["source_name"]) == ("Mia Merge", None)
    # And the SMS number's owner is the kept profile; the old id answers with it too
    assert [i["id"] for i in get(api, "/customers", agent1, field="phone", q=sms_phone).json()["items"]] == [kept_id]
    assert get(api, f"/customers/{source_id}", agent1).json()["profile"]["id"] == kept_id
    # And the same request again changes nothing; a merged profile cannot be merged elsewhere
    assert post(api, f"/customers/{kept_id}/merge", agent1, {"source_id": source_id}).json()["id"] == record["id"]
    assert post(api, f"/customers/{source_id}/merge", agent1, {"source_id": kept_id}).status_code == 409
    # And a new SMS from the merged number goes on the kept profile's list
    texts(runtime, sms, sms_phone, "me again")
    assert profile_of(api, agent1, by_customer(api, agent1, sms_phone[1:])["id"])["profile"]["id"] == kept_id


def test_the_profile_says_who_may_change_it_and_names_accounts_and_teams(runtime, api, agent1, admin, watcher,
                                                                        outsider, webhook_url, demo):
    # Given a customer who wrote to the default team on WhatsApp
    phone = new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "hello", name="Mona Maychange")
    conversation = by_customer(api, agent1, phone[1:])
    customer_id = profile_of(api, agent1, conversation["id"])["profile"]["id"]
    # When the agent of that team, an administrator, a watcher and an agent of another team read it
    seen = {name: get(api, f"/customers/{customer_id}", headers).json()
            for name, headers in (("agent", agent1), ("admin", admin), ("watcher", watcher), ("outsider", outsider))}
    # Then only the team's agent and the administrator may change it (the web app offers editing by this)
    assert {name: view["may_change"] for name, view in seen.items()} == {
        "agent": True, "admin": True, "watcher": False, "outsider": False}
    # And its conversations name their channel account and team; the other team's agent reads no preview
    team_name = next(team["name"] for team in get(api, "/me", agent1).json()["teams"] if team["id"] == "default")
    summary = seen["agent"]["conversations"][0]
    assert (summary["account_name"], summary["team_name"]) == (demo["accounts"]["whatsapp"]["name"], team_name)
    assert summary["preview"] == "hello"
    other = seen["outsider"]["conversations"][0]
    assert (other["readable"], other["preview"], other["team_name"]) == (False, None, team_name)


def agent1_id(api, agent1):
    return get(api, "/me", agent1).json()["user"]["id"]


class CrashingMergeStore(MergeStore):
    """Stops the process after ``steps`` move steps, as a Lambda timeout or crash would."""

    def __init__(self, customers: CustomerStore, steps: int) -> None:
        super().__init__(customers)
        self.steps = steps

    def move(self, kept_id, record, items: SourceItems, story) -> None:
        if self.steps == 0:
            raise RuntimeError("crash")
        self.steps -= 1
        super().move(kept_id, record, items, story)


def test_a_merge_too_big_for_one_transaction_runs_in_steps_and_resumes_after_a_crash(runtime, admin):
    # Given two profiles without conversations (so the administrator merges them), the source with
    # five addresses (more than a 6-action transaction holds)
    store = CustomerStore()
    now = datetime.now(UTC)
    kept_address = Address(kind=AddressKind.TELEGRAM, value=str(10**9 + secrets.randbelow(10**9)))
    kept = store.resolve(kept_address, name="Kept", language=None, at=now)
    addresses = [Address(kind=AddressKind.VIBER, value=secrets.token_hex(6) + "=") for _ in range(5)]
    source = store.resolve(addresses[0], name="Source", language="nl", at=now)
    for address in addresses[1:]:
        store.add_address(source.id, address, now)
    user = wiring.user_store().get(get(wiring_api(runtime), "/me", admin).json()["user"]["id"])
    principal = Principal(user=user, team_id="default")
    # When the merge crashes after its first step
    crashing = CustomerMerger(store, CrashingMergeStore(store, steps=1), lambda: now, transaction_limit=7)
    with pytest.raises(RuntimeError):
        crashing.merge(principal, kept.id, source.id)
    # Then it is recorded in progress, and every address has exactly one owner, whose profile lists it
    merges = MergeStore(store)
    assert merges.pending(kept.id, source.id) is not None
    owners = {str(a): store.owner_of(a) for a in addresses}
    listed = {str(a) for a, _ in store.addresses(kept.id)} | {str(a) for a, _ in store.addresses(source.id)}
    assert listed == set(owners) | {str(kept_address)}
    for address, owner in owners.items():
        assert address in {str(a) for a, _ in store.addresses(owner)}
    assert set(owners.values()) == {kept.id, source.id}  # half-way: some moved, some not yet
    # And readers already see the kept profile through the source
    assert store.current(source.id).id == kept.id
    # When the merge runs again
    record = CustomerMerger(store, merges, lambda: now, transaction_limit=7).merge(principal, kept.id, source.id)
    # Then it finishes: every address is the kept profile's, the missing language filled in
    assert record.state is MergeState.DONE
    assert not record.single_transaction
    assert sorted(record.addresses) == sorted(str(a) for a in addresses)
    assert {store.owner_of(a) for a in addresses} == {kept.id}
    assert store.addresses(source.id) == []
    after = store.get(kept.id)
    assert after is not None
    assert (after.name, after.language) == ("Kept", "nl")
    assert store.get(source.id).merged_into == kept.id


def wiring_api(runtime):
    return runtime.info.api_url


def test_logged_interactions_show_in_history_and_export(runtime, api, agent1, webhook_url, demo):
    # Given agent1's conversation with a customer
    phone = new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, phone, "I will call you")
    conversation = by_customer(api, agent1, phone[1:])
    customer_id = profile_of(api, agent1, conversation["id"])["profile"]["id"]
    # When the agent logs the phone call on the customer, naming the conversation
    entry = post(api, f"/customers/{customer_id}/log", agent1, {
        "direction": "inbound", "medium": "phone", "text": "=called, wants a refund",
        "occurred_at": "2024-05-01T10:00:00+02:00", "conversation_id": conversation["id"]})
    assert entry.status_code == 201, entry.text
    # Then it is in the customer's history
    log = get(api, f"/customers/{customer_id}/log", agent1).json()["items"]
    assert [(e["direction"], e["medium"], e["text"]) for e in log] == [("inbound", "phone", "=called, wants a refund")]
    # And in the conversation's export (as text, never a formula)
    export = exported(runtime, api, f"/conversations/{conversation['id']}/exports", agent1, {"format": "csv"})
    assert export.status_code == 200
    assert "logged inbound phone" in export.text
    assert "'=called, wants a refund" in export.text
    # And a future time or another customer's conversation is refused
    assert post(api, f"/customers/{customer_id}/log", agent1, {
        "direction": "outbound", "medium": "letter", "text": "x", "occurred_at": "2999-01-01T00:00:00Z"}
    ).status_code == 400


def test_a_merge_in_steps_tells_each_moved_conversation_once(runtime, api, agent1, webhook_url, demo):
    # Given two profiles of one customer, each with a conversation, too big to merge in one 7-action transaction
    kept_phone, source_phone = new_phone(), new_phone()
    writes_on_whatsapp(runtime, webhook_url, demo, kept_phone, "kept here", name="Stepwise Kept")
    writes_on_whatsapp(runtime, webhook_url, demo, source_phone, "moved here", name="Stepwise Source")
    moved = by_customer(api, agent1, source_phone[1:])
    kept_id = profile_of(api, agent1, by_customer(api, agent1, kept_phone[1:])["id"])["profile"]["id"]
    source_id = profile_of(api, agent1, moved["id"])["profile"]["id"]
    store = CustomerStore()
    user = wiring.user_store().get(agent1_id(api, agent1))
    principal = Principal(user=user, team_id="default")
    # When the merge crashes after its first step, and runs again
    crashing = CustomerMerger(store, CrashingMergeStore(store, steps=1), lambda: datetime.now(UTC), transaction_limit=7)
    with pytest.raises(RuntimeError):
        crashing.merge(principal, kept_id, source_id)
    record = CustomerMerger(store, MergeStore(store), lambda: datetime.now(UTC), transaction_limit=7).merge(
        principal, kept_id, source_id)
    # Then it ran in steps, and the moved conversation tells the merge exactly once
    assert (record.state, record.single_transaction) == (MergeState.DONE, False)
    thread = get(api, f"/conversations/{moved['id']}/messages", agent1, limit=100).json()["items"]
    assert [m["text"] for m in thread if m["direction"] == "system"] == [
        "Customer Stepwise Source merged into Stepwise Kept by Alex Agent"]
