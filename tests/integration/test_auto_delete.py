"""Auto-deletion N days after archiving: the real state machine on moto (Wait, GetItem, Choice,
SQS) hands due conversations to the purge worker, which leaves nothing behind; a change of N
applies to conversations already waiting."""

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from chalicelib import wiring
from chalicelib.domain import ids, retention
from chalicelib.domain.models import ConversationState
from chalicelib.domain.retention import deadline_text
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
    """What the archive use case does after storing the archive (``ConversationLifecycle`` calls the same)."""
    return wiring.auto_deletion().schedule(conversation_id, archived_at)

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


def executions(runtime, status):
    sfn = boto3.client("stepfunctions", endpoint_url=runtime.moto_url, region_name=runtime.config.region)
    arn = runtime.resources.state_machine_arns["auto-delete"]
    return sfn.list_executions(stateMachineArn=arn, statusFilter=status)["executions"]


def purged(runtime, conversation, account, wa_id):
    drain(runtime, "purge")
    return not leftovers(runtime, conversation, account, wa_id)


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
    # Then the machine finds it due and the purge worker removes every trace of it
    assert delete_at == (archived_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
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
    waiting_before = len(executions(runtime, "RUNNING"))
    schedule_auto_delete(conversation["id"], archived_at)
    assert len(executions(runtime, "RUNNING")) == waiting_before + 1
    drain(runtime, "purge")
    assert leftovers(runtime, conversation, account, wa_id)
    # When the administrator shortens the period to 1 day
    changed = ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 1}))
    # Then the waiting conversation's deadline moves (in the reschedule worker), and it is purged now
    assert changed["auto_delete_days"] == 1
    assert changed["rescheduling"] is True
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    wait_for(lambda: purged(runtime, conversation, account, wa_id), timeout=20, interval=0.5, what="purge")


def test_turning_auto_deletion_off_keeps_archived_conversations(runtime, api, admin):
    # Given a conversation due for deletion whose machine is about to wake
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": 30}))
    conversation, _, _ = archived_conversation(runtime, api, admin, [])
    archive(conversation["id"], datetime.now(UTC) - timedelta(days=2))
    schedule_auto_delete(conversation["id"], datetime.now(UTC) - timedelta(days=2))
    # When auto-deletion is turned off / Then the deadline is gone and nothing is purged
    ok(call("PATCH", f"{api}/settings/service", admin, {"auto_delete_days": None}))
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    assert ConversationItem.get(keys.conversation_pk(conversation["id"]), keys.CONVERSATION_SK).delete_at is None
    assert schedule_auto_delete(conversation["id"], datetime.now(UTC)) is None


def test_the_purge_worker_spares_a_reopened_conversation_and_repeats_harmlessly(runtime, api, admin, sqs):
    conversation, account, wa_id = archived_conversation(runtime, api, admin, [])
    # Given a purge request for a conversation that is not archived (reopened meanwhile)
    deletion = wiring.auto_deletion()
    pk = keys.conversation_pk(conversation["id"])
    # Then it stays
    assert deletion.purge(pk, "2000-01-01T00:00:00Z") == 0
    assert leftovers(runtime, conversation, account, wa_id)
    # And a request for a conversation gone already does nothing, also through the queue
    assert deletion.purge(keys.conversation_pk("no-such-conversation"), "2000-01-01T00:00:00Z") == 0
    sqs.send_message(QueueUrl=runtime.resources.queue_urls["purge"],
                     MessageBody='{"conversation_pk": "CONV#gone", "delete_at": "2000-01-01T00:00:00Z"}')
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
    running_before = len(executions(runtime, "RUNNING"))
    # When the administrator archives it through the API
    archived = ok(call("POST", f"{path}/archive{team}", admin, {}))
    # Then the archive stored the deletion date and started the machine's wait for it
    assert archived["state"] == "archived"
    stored = ConversationItem.get(keys.conversation_pk(conversation["id"]), keys.CONVERSATION_SK)
    assert stored.archived_at is not None
    assert stored.delete_at == deadline_text(stored.archived_at + timedelta(days=1))
    assert len(executions(runtime, "RUNNING")) == running_before + 1
    # And once due (archived two days ago), the purge leaves no link, note, tag item or upload behind
    archived_at = datetime.now(UTC) - timedelta(days=2)
    archive(conversation["id"], archived_at)
    schedule_auto_delete(conversation["id"], archived_at)
    wait_for(lambda: purged(runtime, conversation, account, wa_id), timeout=20, interval=0.5, what="purge")
    assert list(ConversationLinkItem.lookup_created.query(tag_list)) == []
    assert list(ConversationLinkItem.lookup_created.query(
        keys.customer_lookup_pk(conversation["team_id"], conversation["customer_id"]))) == []


def test_a_new_period_is_applied_by_the_worker_page_by_page_not_in_the_request(runtime, api, admin, monkeypatch):
    # Given auto-deletion after 30 days and five conversations of one team archived 2 days ago,
    # each waiting for its deadline, and the worker reading two of them per step
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
    # And once the worker has run its steps, every waiting conversation has the new date
    drain(runtime, "reschedule", rounds=RESCHEDULE_ROUNDS)
    assert deadlines() == {deadline_text(archived_at + timedelta(days=60))}
