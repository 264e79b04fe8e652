"""Auto-deletion N days after archiving: the hourly sweep (the real state machine on moto: a
DynamoDB Query of each shard of the due index, page by page, and SQS) hands due conversations to
the purge worker, which leaves nothing behind; a change of N applies to conversations already
archived; time travel through the local scheduler's "sweep now" control."""

import json
import logging
from datetime import UTC, datetime, timedelta

import boto3
import pytest
import requests
from chalicelib import wiring
from chalicelib.core.resources import DUE_PAGE_SIZE
from chalicelib.domain import ids, retention
from chalicelib.domain.models import ConversationState
from chalicelib.domain.service_settings import deadline_text
from chalicelib.storage import keys
from chalicelib.storage.customers import CustomerStore
from chalicelib.storage.items import (
    AttachmentAttribute,
    ConversationItem,
    ConversationLinkItem,
    MessageItem,
    OpenConversationItem,
    ProviderMessageItem,
    TableItem,
)
from chalicelib.storage.retention import RetentionStore
from chalicelib.storage.service_settings import get_service_settings

from tests.integration.admin_helpers import call, new_team, new_whatsapp_account, ok, say
from tests.integration.conftest import drain, queue_depth
from tests.support import login, new_wa_id, post_upload, wait_for

# The worker takes one team's page per message, and the session has made many teams by now.
RESCHEDULE_ROUNDS = 2000


@pytest.fixture(scope="module")
def admin(api, demo):
    return login(api, "admin@example.com", demo["password"])


@pytest.fixture(autouse=True)
def auto_delete_off_afterwards(runtime, api, admin):
    yield
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": None}))
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)


def schedule_auto_delete(conversation_id: str, archived_at: datetime) -> str | None:
    """The deletion date an archive at ``archived_at`` writes with the conversation's state (the archive
    use case reads it from the service settings the same way), for a conversation archived here."""
    delete_at = get_service_settings().deletion_date(archived_at)
    if delete_at is None or not RetentionStore("").set_delete_at(conversation_id, delete_at):
        return None
    return delete_at


def sweep(runtime, as_of: datetime | None = None) -> dict[str, str]:
    """The hourly schedule's run, now (local/schedules.py through the control API), waited for."""
    body = {"as_of": as_of.strftime("%Y-%m-%dT%H:%M:%SZ")} if as_of else {}
    answer = requests.post(f"{runtime.info.simulator_url}/control/auto-delete/sweep", json=body, timeout=90)
    assert answer.status_code == 200, answer.text
    result: dict[str, str] = answer.json()
    assert result["status"] == "SUCCEEDED", result
    return result


def archive(conversation_id: str, archived_at: datetime) -> None:
    """What the archive action stores (built elsewhere): state, list key and the archiving time."""
    item = ConversationItem.get(keys.conversation_pk(conversation_id), keys.CONVERSATION_SK)
    item.update(actions=[
        ConversationItem.state.set(ConversationState.ARCHIVED.value),
        ConversationItem.state_pk.set(keys.state_list_pk(item.team_id, ConversationState.ARCHIVED.value)),
        ConversationItem.archived_at.set(archived_at),
    ])


def archived_conversation(runtime, api, admin, media: list[str]):
    """A conversation with two customer messages and media objects, archived."""
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    wa_id = new_wa_id()
    say(runtime, account, wa_id, "first")
    say(runtime, account, wa_id, "second")
    conversation = ok(call("GET", f"{api}/conversations?view=all&team={team['id']}", admin))["items"][0]
    s3 = boto3.client("s3", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
    for name in media:
        s3.put_object(Bucket=runtime.resources.media_bucket, Key=ids.media_prefix(conversation["id"]) + name,
                      Body=b"media")
    # And inbound media copied from the provider, which the first message points at
    first = next(iter(MessageItem.query(keys.conversation_pk(conversation["id"]), MessageItem.sk.startswith("MSG#"))))
    inbound_key = ids.inbound_media_key(account.id, first.message_id, 0)
    s3.put_object(Bucket=runtime.resources.media_bucket, Key=inbound_key, Body=b"photo")
    first.update(actions=[MessageItem.attachments.set([AttachmentAttribute(
        key=inbound_key, content_type="image/jpeg", filename="photo.jpg", size=5)])])
    return conversation, account, wa_id


def leftovers(runtime, conversation, account, wa_id) -> list[str]:
    found = [f"{item.pk}/{item.sk}" for item in TableItem.query(keys.conversation_pk(conversation["id"]))]
    # On the customer's profile: the record of the conversation and its open marker
    customer_id = CustomerStore().owner_of(f"phone:{conversation['customer_id']}")
    assert customer_id is not None
    found += [f"{item.pk}/{item.sk}" for item in TableItem.query(keys.customer_pk(customer_id))
              if getattr(item, "conversation_id", None) == conversation["id"]]
    try:
        OpenConversationItem.get(keys.open_conversation_pk(account.id, conversation["customer_id"]), "OPEN")
        found.append("open pointer")
    except OpenConversationItem.DoesNotExist:
        pass
    found += [f"{item.pk}" for item in ProviderMessageItem.scan(
        ProviderMessageItem.conversation_id == conversation["id"])]  # test-side check only
    s3 = boto3.client("s3", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
    for prefix in (ids.media_prefix(conversation["id"]), ids.inbound_media_key(account.id, "", 0).split("//")[0]):
        listed = s3.list_objects_v2(Bucket=runtime.resources.media_bucket, Prefix=prefix)
        found += [item["Key"] for item in listed.get("Contents", [])]
    return found


def purged(runtime, conversation, account, wa_id):
    drain(runtime, "purge")
    return not leftovers(runtime, conversation, account, wa_id)


def due_entries(conversation_id: str) -> list[tuple[str, str]]:
    """The conversation's entries in the due index (a Query of its shard, test-side)."""
    client = boto3.client("dynamodb")
    shard = keys.due_pk(conversation_id)
    items = client.query(TableName=ConversationItem.Meta.table_name, IndexName="due",
                         KeyConditionExpression="due_pk = :shard",
                         ExpressionAttributeValues={":shard": {"S": shard}})["Items"]
    return [(item["due_pk"]["S"], item["due_sk"]["S"]) for item in items
            if item["due_sk"]["S"].endswith("#" + conversation_id)]


def test_a_due_conversation_is_purged_without_leftovers(runtime, api, admin):
    # Given auto-deletion after 1 day, and a conversation archived 2 days ago with media
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 1}))
    conversation, account, wa_id = archived_conversation(runtime, api, admin, ["a.jpg", "b.pdf"])
    before = leftovers(runtime, conversation, account, wa_id)
    assert len(before) >= 9
    # (among them the customer profile's record of the conversation and its open marker)
    assert sum(item.startswith("CUST#") for item in before) == 2
    archived_at = datetime.now(UTC) - timedelta(days=2)
    archive(conversation["id"], archived_at)
    # When the archive action schedules its deletion
    delete_at = schedule_auto_delete(conversation["id"], archived_at)
    # Then the conversation is in the due index under its deadline
    assert delete_at == (archived_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert due_entries(conversation["id"]) == [(keys.due_pk(conversation["id"]), f"{delete_at}#{conversation['id']}")]
    # And the next hourly sweep finds it due and the purge worker removes every trace of it
    sweep(runtime)
    wait_for(lambda: purged(runtime, conversation, account, wa_id), timeout=20, interval=0.5, what="purge")
    assert call("GET", f"{api}/conversations/{conversation['id']}", admin).status_code == 404
    # And the customer's next message opens a fresh conversation
    say(runtime, account, wa_id, "hello again")
    fresh = ok(call("GET", f"{api}/conversations?view=all&team={conversation['team_id']}", admin))["items"]
    assert [c["id"] != conversation["id"] for c in fresh] == [True]


def test_changing_the_period_applies_to_conversations_already_waiting(runtime, api, admin, sqs):
    # Given auto-deletion after 30 days and a conversation archived 2 days ago, waiting
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 30}))
    conversation, account, wa_id = archived_conversation(runtime, api, admin, ["c.png"])
    archived_at = datetime.now(UTC) - timedelta(days=2)
    archive(conversation["id"], archived_at)
    schedule_auto_delete(conversation["id"], archived_at)
    # (not due yet: a sweep now leaves it)
    sweep(runtime)
    drain(runtime, "purge")
    assert leftovers(runtime, conversation, account, wa_id)
    # When the administrator shortens the period to 1 day
    changed = ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 1}))
    # Then the waiting conversation's deadline moves (in the reschedule worker), and the next sweep purges it
    assert changed["auto_delete_days"] == 1
    assert changed["rescheduling"] is True
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    sweep(runtime)
    wait_for(lambda: purged(runtime, conversation, account, wa_id), timeout=20, interval=0.5, what="purge")


def test_any_retention_length_works_by_time_travel(runtime, api, admin):
    # Given the longest period (3,650 days: no wait of a state machine could last that long) and a
    # conversation archived today
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 3650}))
    conversation, account, wa_id = archived_conversation(runtime, api, admin, [])
    archived_at = datetime.now(UTC)
    archive(conversation["id"], archived_at)
    delete_at = schedule_auto_delete(conversation["id"], archived_at)
    assert delete_at == deadline_text(archived_at + timedelta(days=3650))
    # When a sweep runs a day before that date, nothing happens
    sweep(runtime, archived_at + timedelta(days=3649))
    drain(runtime, "purge")
    assert leftovers(runtime, conversation, account, wa_id)
    # And the sweep an hour after it purges the conversation (the purge checks the date against the
    # clock, so the worker is run as if then)
    sweep(runtime, archived_at + timedelta(days=3650, hours=1))
    future = archived_at + timedelta(days=3650, hours=1)
    deletion = wiring.auto_deletion()
    original_clock = deletion._clock
    deletion._clock = lambda: future
    try:
        wait_for(lambda: purged(runtime, conversation, account, wa_id), timeout=20, interval=0.5, what="purge")
    finally:
        deletion._clock = original_clock


def test_a_sweep_reads_each_shard_page_by_page(runtime, api, admin, sqs, monkeypatch):
    # Given more due conversations in one shard than one page holds (pages of 2 for the test: the
    # machine's definition is the shared one, with its page size replaced)
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 1}))
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    for _ in range(5):
        say(runtime, account, new_wa_id(), "hello")
    conversation_ids = [c["id"] for c in ok(call("GET", f"{api}/conversations?view=all&team={team['id']}",
                                                 admin))["items"]]
    archived_at = datetime.now(UTC) - timedelta(days=3)
    for conversation_id in conversation_ids:
        archive(conversation_id, archived_at)
        schedule_auto_delete(conversation_id, archived_at)
    sfn = boto3.client("stepfunctions", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
    machine_arn = runtime.resources.state_machine_arns["auto-delete"]
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"])
    small = json.dumps(definition).replace(f'"Limit": {DUE_PAGE_SIZE}', '"Limit": 2')
    sfn.update_state_machine(stateMachineArn=machine_arn, definition=small)
    try:
        # When the sweep runs
        result = sweep(runtime)
    finally:
        sfn.update_state_machine(stateMachineArn=machine_arn, definition=json.dumps(definition))
    # Then it read in pages of at most two entries, and every due conversation reaches the purge
    history = sfn.get_execution_history(executionArn=result["execution_arn"], maxResults=1000)["events"]
    pages = [json.loads(event["taskSucceededEventDetails"]["output"]) for event in history
             if event["type"] == "TaskSucceeded" and "Items" in event["taskSucceededEventDetails"]["output"]]
    assert pages
    assert max(page["Count"] for page in pages) <= 2
    drain(runtime, "purge")
    for conversation_id in conversation_ids:
        assert call("GET", f"{api}/conversations/{conversation_id}", admin).status_code == 404


def test_turning_auto_deletion_off_keeps_archived_conversations(runtime, api, admin):
    # Given a conversation in the due index
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 30}))
    conversation, account, wa_id = archived_conversation(runtime, api, admin, [])
    archive(conversation["id"], datetime.now(UTC) - timedelta(days=2))
    schedule_auto_delete(conversation["id"], datetime.now(UTC) - timedelta(days=2))
    assert due_entries(conversation["id"])
    # When auto-deletion is turned off / Then the deadline and the due entry are gone and nothing is purged
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": None}))
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    assert ConversationItem.get(keys.conversation_pk(conversation["id"]), keys.CONVERSATION_SK).delete_at is None
    assert due_entries(conversation["id"]) == []
    sweep(runtime, datetime.now(UTC) + timedelta(days=400))
    drain(runtime, "purge")
    assert leftovers(runtime, conversation, account, wa_id)
    assert schedule_auto_delete(conversation["id"], datetime.now(UTC)) is None


def test_the_purge_worker_spares_a_reopened_conversation_and_repeats_harmlessly(runtime, api, admin, sqs):
    conversation, account, wa_id = archived_conversation(runtime, api, admin, [])
    # Given a purge request for a conversation that is not archived (reopened meanwhile)
    deletion = wiring.auto_deletion()
    # Then it stays
    assert deletion.purge(conversation["id"], "2000-01-01T00:00:00Z") == 0
    assert leftovers(runtime, conversation, account, wa_id)
    # And a request for a conversation gone already does nothing, also through the queue
    assert deletion.purge("no-such-conversation", "2000-01-01T00:00:00Z") == 0
    sqs.send_message(QueueUrl=runtime.resources.queue_urls["purge"],
                     MessageBody='{"conversation_id": "gone", "delete_at": "2000-01-01T00:00:00Z"}')
    drain(runtime, "purge")
    assert queue_depth(sqs, runtime.resources.dlq_urls["purge"]) == 0


def test_archiving_through_the_api_schedules_the_deletion_and_the_purge_takes_the_inbox_items(runtime, api, admin):
    # Given auto-deletion after 1 day, and a conversation the administrator picked up, tagged,
    # noted and uploaded an attachment for
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 1}))
    conversation, account, wa_id = archived_conversation(runtime, api, admin, [])
    path = f"{api}/conversations/{conversation['id']}"
    team = f"?team={conversation['team_id']}"
    ok(call("POST", f"{path}/pickup{team}", admin))
    ok(call("POST", f"{path}/tags{team}", admin, {"tags": ["purge-me"]}))
    ok(call("POST", f"{path}/notes{team}", admin, {"text": "called the customer"}), 201)
    ticket = ok(call("POST", f"{path}/uploads{team}", admin,
                     {"filename": "label.png", "content_type": "image/png", "size": 3}), 201)
    assert post_upload(ticket, b"png").ok
    tag_list = keys.tag_lookup_pk(conversation["team_id"], "purge-me")
    tagged = [link.conversation_id for link in ConversationLinkItem.lookup_created.query(tag_list)]
    assert tagged == [conversation["id"]]
    # When the administrator archives it through the API
    archived = ok(call("POST", f"{path}/archive{team}", admin, {}))
    # Then the archive stored the deletion date and the conversation's entry in the due index
    assert archived["state"] == "archived"
    stored = ConversationItem.get(keys.conversation_pk(conversation["id"]), keys.CONVERSATION_SK)
    assert stored.archived_at is not None
    assert stored.delete_at == deadline_text(stored.archived_at + timedelta(days=1))
    assert due_entries(conversation["id"]) == [(keys.due_pk(conversation["id"]),
                                                f"{stored.delete_at}#{conversation['id']}")]
    # And the customer writing again reopens it, which takes it out of the index
    say(runtime, account, wa_id, "one more question")
    reopened = ConversationItem.get(keys.conversation_pk(conversation["id"]), keys.CONVERSATION_SK)
    assert reopened.state != "archived"
    assert (reopened.delete_at, reopened.due_pk, due_entries(conversation["id"])) == (None, None, [])
    # And once due (archived two days ago), the sweep and the purge leave no link, note, tag item or upload behind
    archived_at = datetime.now(UTC) - timedelta(days=2)
    archive(conversation["id"], archived_at)
    schedule_auto_delete(conversation["id"], archived_at)
    sweep(runtime)
    wait_for(lambda: purged(runtime, conversation, account, wa_id), timeout=20, interval=0.5, what="purge")
    assert list(ConversationLinkItem.lookup_created.query(tag_list)) == []
    assert list(ConversationLinkItem.lookup_created.query(
        keys.customer_lookup_pk(conversation["team_id"], conversation["customer_id"]))) == []


def test_a_new_period_is_applied_by_the_worker_page_by_page_not_in_the_request(runtime, api, admin, monkeypatch):
    # Given auto-deletion after 30 days and five conversations of one team archived 2 days ago,
    # each in the due index under its deadline, and the worker reading two of them per step
    monkeypatch.setattr(retention, "RESCHEDULE_PAGE", 2)
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 30}))
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    team = new_team(api, admin)
    account = new_whatsapp_account(runtime, api, admin, team_id=team["id"])
    archived_at = datetime.now(UTC) - timedelta(days=2)
    for _ in range(5):
        say(runtime, account, new_wa_id(), "hello")
    conversation_ids = [c["id"] for c in ok(call("GET", f"{api}/conversations?view=all&team={team['id']}",
                                                 admin))["items"]]
    for conversation_id in conversation_ids:
        archive(conversation_id, archived_at)
        schedule_auto_delete(conversation_id, archived_at)

    def deadlines() -> set[str | None]:
        return {ConversationItem.get(keys.conversation_pk(cid), keys.CONVERSATION_SK, consistent_read=True).delete_at
                for cid in conversation_ids}

    assert deadlines() == {deadline_text(archived_at + timedelta(days=30))}
    # When the administrator changes the period to 60 days
    changed = ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 60}))
    # Then the request answers at once with the new setting, the dates not yet moved
    assert (changed["auto_delete_days"], changed["rescheduling"]) == (60, True)
    assert deadlines() == {deadline_text(archived_at + timedelta(days=30))}
    # And once the worker has run its steps, every waiting conversation has the new date, in the index too
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    assert deadlines() == {deadline_text(archived_at + timedelta(days=60))}
    assert {sort_key.split("#")[0] for cid in conversation_ids for _, sort_key in due_entries(cid)} == {
        deadline_text(archived_at + timedelta(days=60))}


def test_a_sweep_logs_no_error_for_the_shards_whose_last_page_has_no_next(runtime, caplog):
    # Given nothing due: every shard's first page is its last, without a LastEvaluatedKey
    caplog.set_level(logging.ERROR)
    # When the sweep runs, its "next page?" Choice finds no key on each shard
    sweep(runtime)
    # Then the local runtime logs no error for it (moto's interpreter would, at ERROR: AWS does not)
    assert [record.getMessage() for record in caplog.records if "JsonPath" in record.getMessage()] == []
