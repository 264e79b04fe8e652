"""A new customer's profile is written without a transaction (issue 19: DynamoDB bills a
transaction's writes double): the address is claimed first for a new profile id, then its address
item and the profile are put (the profile last: its conditional put marks the creation done). A
claim left without its profile (a crash in between) is completed by the next resolve of the
address, under the claimed id; a second writer that finds the profile written takes it as it is.
Every DynamoDB write request is recorded (in-process moto)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.customers import Address, AddressKind
from chalicelib.storage import keys
from chalicelib.storage.customers import CustomerStore, address_item, owner_item

from tests.unit.conftest import Written

AT = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
ADDRESS = Address(kind=AddressKind.PHONE, value="+31612345678")


def test_a_new_customer_is_claimed_then_put_without_a_transaction(writes: Written) -> None:
    # When a message comes from an address nobody owns
    profile = CustomerStore().resolve(ADDRESS, name="Ann Smith", language="nl", at=AT)
    # Then the address was claimed, then its address item and the profile put, then the fragments
    operations = [(operation, key) for operation, key in writes if operation != "BatchWriteItem"]
    assert operations == [
        ("PutItem", (keys.address_owner_pk(str(ADDRESS)), keys.ADDRESS_OWNER_SK)),
        ("PutItem", (keys.customer_pk(profile.id), keys.customer_address_sk(str(ADDRESS)))),
        ("PutItem", (keys.customer_pk(profile.id), keys.CUSTOMER_PROFILE_SK)),
    ]
    assert {operation for operation, _ in writes} == {"PutItem", "BatchWriteItem"}
    # And the address is the profile's
    assert CustomerStore().find(ADDRESS) == profile
    assert (profile.name, profile.language) == ("Ann Smith", "nl")


def test_a_claim_left_without_its_profile_is_completed_under_the_claimed_id(writes: Written) -> None:
    # Given an address claimed by a resolve that stopped before the profile (a crash)
    store = CustomerStore()
    owner_item(ADDRESS, "c-claimed").save()
    # Then nobody is found for it yet (no half profile is shown)
    assert store.find(ADDRESS) is None
    # When the message is handled again
    profile = store.resolve(ADDRESS, name="Ann Smith", language=None, at=AT)
    # Then the profile is written under the claimed id, with its address and its search fragments
    assert profile.id == "c-claimed"
    assert store.find(ADDRESS) == profile
    assert [address for address, _ in store.addresses("c-claimed")] == [ADDRESS]
    assert any(operation == "BatchWriteItem" for operation, _ in writes)


def test_a_creation_that_stopped_after_the_address_item_shows_nobody_until_completed(writes: Written) -> None:
    # Given a resolve that claimed the address and put its address item, then stopped (a crash)
    store = CustomerStore()
    owner_item(ADDRESS, "c-halfway").save()
    address_item("c-halfway", ADDRESS, AT).save()
    # Then nobody is found for the address: a profile is there whole or not at all
    assert store.find(ADDRESS) is None
    # When the message is handled again
    profile = store.resolve(ADDRESS, name="Ann Smith", language="nl", at=AT)
    # Then the profile is completed under the claimed id, with its one address
    assert profile.id == "c-halfway"
    assert store.find(ADDRESS) == profile
    assert [address for address, _ in store.addresses("c-halfway")] == [ADDRESS]


def test_a_second_writer_of_a_claimed_profile_takes_the_first_as_written(writes: Written) -> None:
    # Given two deliveries of a new customer's messages: the first claimed the address and stopped
    # there for a moment; the second found the claim and wrote the profile under its id
    store = CustomerStore()
    owner_item(ADDRESS, "c-first").save()
    second = store.resolve(ADDRESS, name="Ann", language=None, at=AT)
    writes.clear()
    # When the first goes on to write the profile it claimed, with another name
    first = store._create("c-first", ADDRESS, name="Ann Smith", language="nl", at=AT)
    # Then it takes the profile the second wrote: its writes are the same address item again and
    # its refused conditional put of the profile, no fragments
    assert first == second
    assert first.name == "Ann"
    assert writes == [("PutItem", (keys.customer_pk("c-first"), keys.customer_address_sk(str(ADDRESS)))),
                      ("PutItem", (keys.customer_pk("c-first"), keys.CUSTOMER_PROFILE_SK))]
    assert [address for address, _ in store.addresses("c-first")] == [ADDRESS]
