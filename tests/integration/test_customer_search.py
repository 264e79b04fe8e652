"""Customer search with CRM.COM's Like operator ('%' anywhere) over the API, served by the search
fragments written with each profile: ends-with, contains and several parts, paged within a read
budget; phone numbers in any format; fragments following a rename and a merge; the backfill
for profiles written before the fragments."""

import json
import secrets

from chalicelib.domain.customer_search import CURRENT_LAYOUT, FragmentLayout
from chalicelib.storage import keys
from chalicelib.storage.customer_items import CustomerFragmentItem, CustomerItem
from chalicelib.storage.customers import fragment_items

from ops.customer_fragments import main as backfill_main
from tests.integration.customer_support import new_phone, writes_on_whatsapp
from tests.integration.inbox_support import by_customer, get, patch, post


def names(api, headers, q, **params):
    response = get(api, "/customers", headers, field=params.pop("field", "name"), q=q, **params)
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()["items"])


def customer_id(api, headers, phone):
    conversation = by_customer(api, headers, phone.removeprefix("+"))
    response = get(api, f"/conversations/{conversation['id']}/customer", headers)
    return response.json()["profile"]["id"]


def recorded_fragments(customer):
    """The fragment items the profile says are written, as they would be keyed."""
    profile = CustomerItem.get(keys.customer_pk(customer), keys.CUSTOMER_PROFILE_SK, consistent_read=True)
    return list(fragment_items(customer, [tuple(v) for v in json.loads(profile.fragment_values or "[]")]).values())


def stored(items):
    """Those of the items that are in the table."""
    return [item for item in items if CustomerFragmentItem.count(item.pk, CustomerFragmentItem.sk == item.sk,
                                                                 consistent_read=True)]


def new_customers(runtime, api, agent, webhook_url, demo, *names_given):
    phones = {}
    for name in names_given:
        phone = new_phone()
        writes_on_whatsapp(runtime, webhook_url, demo, phone, "hi", name=name)
        phones[name] = phone
    return phones


def test_like_finds_a_name_by_its_end_its_middle_or_several_parts(runtime, api, agent1, webhook_url, demo):
    # Given four customers sharing a word no one else has
    word = "q" + secrets.token_hex(4)
    new_customers(runtime, api, agent1, webhook_url, demo, f"Maria {word}", f"Mario {word}", f"Rosaria {word}",
                  f"{word} Ann")
    # When searching with the wildcard at the start, in the middle, and in several places
    # Then ends-with, contains and several parts each find exactly their customers
    assert names(api, agent1, f"%ria {word}") == [f"Maria {word}", f"Rosaria {word}"]
    assert names(api, agent1, f"%ARÍ% {word.upper()}") == [f"Maria {word}", f"Mario {word}", f"Rosaria {word}"]
    assert names(api, agent1, f"M%o {word}") == [f"Mario {word}"]
    assert names(api, agent1, f"%{word}%") == sorted([f"Maria {word}", f"Mario {word}", f"Rosaria {word}",
                                                       f"{word} Ann"])
    # And the hit says which value matched
    found = get(api, "/customers", agent1, field="name", q=f"%{word} an%").json()["items"]
    assert [(item["name"], item["matched"]) for item in found] == [(f"{word} Ann", f"{word} Ann")]


def test_like_pages_follow_the_cursor_to_every_customer_once(runtime, api, agent1, webhook_url, demo):
    # Given three customers whose names contain a word: at an even position (found by the term),
    # at an odd one (by the term less its first letter), and at both
    word = "q" + secrets.token_hex(4)
    new_customers(runtime, api, agent1, webhook_url, demo, f"A {word}", f"Bb {word}", f"C {word} x{word}")
    # When reading a contains search one at a time
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = get(api, "/customers", agent1, field="name", q=f"%{word}%", **params).json()
        assert len(page["items"]) <= 1
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then the pages hold each of them once and end
    assert sorted(seen) == [f"A {word}", f"Bb {word}", f"C {word} x{word}"]
    assert cursor is None
    # And an ending is found at either position too
    assert names(api, agent1, f"%b {word}") == [f"Bb {word}"]
    assert names(api, agent1, f"%x{word}") == [f"C {word} x{word}"]


def test_like_and_exact_phone_search_read_any_format(runtime, api, agent1, webhook_url, demo):
    # Given a customer known by a Dutch mobile number
    phones = new_customers(runtime, api, agent1, webhook_url, demo, "Phone Format")
    phone = phones["Phone Format"]
    national = "0" + phone[3:]
    expected = [customer_id(api, agent1, phone)]

    def ids(q, **params):
        response = get(api, "/customers", agent1, field="phone", q=q, **params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    # When searching it written in several ways, then each finds the customer
    assert ids(f"+31 ({phone[3]}) {phone[4:8]} {phone[8:]}") == expected
    assert ids(f"00{phone[1:3]}-{phone[3:]}") == expected
    assert ids(f"{national[:2]} {national[2:]}", region="NL") == expected
    # And by the end of the number, written with spaces
    assert ids(f"%{phone[-8:-4]} {phone[-4:]}") == expected
    # And a national number without its country is not guessed
    assert ids(national) == []


def test_fragments_follow_a_rename_and_a_merge(runtime, api, agent1, webhook_url, demo):
    # Given two customers
    word = "q" + secrets.token_hex(4)
    phones = new_customers(runtime, api, agent1, webhook_url, demo, f"Kept {word}", f"Gone {word}")
    kept, gone = (customer_id(api, agent1, phones[f"Kept {word}"]), customer_id(api, agent1, phones[f"Gone {word}"]))
    # When one is renamed
    before_rename = recorded_fragments(gone)
    assert before_rename
    assert stored(before_rename) == before_rename
    profile = get(api, f"/customers/{gone}", agent1).json()["profile"]
    renamed = patch(api, f"/customers/{gone}", agent1, {"name": f"Went {word}"})
    assert renamed.status_code == 200, renamed.text
    assert profile["name"] == f"Gone {word}"
    # Then the Like search finds the new name and not the old one
    assert names(api, agent1, f"%nt {word}") == [f"Went {word}"]
    assert names(api, agent1, f"%ne {word}") == []
    # And the old name's fragments are gone from the table, the new name's are there
    after_rename = recorded_fragments(gone)
    assert {item.sk for item in after_rename} != {item.sk for item in before_rename}
    assert stored(after_rename) == after_rename
    assert stored([item for item in before_rename if item.sk not in {i.sk for i in after_rename}]) == []
    # When it is merged into the other
    merged = post(api, f"/customers/{kept}/merge", agent1, {"source_id": gone})
    assert merged.status_code == 200, merged.text
    # Then only the kept profile is found, also by the merged one's phone
    assert names(api, agent1, f"%{word}") == [f"Kept {word}"]
    by_phone = get(api, "/customers", agent1, field="phone", q=f"%{phones[f'Gone {word}'][-8:]}").json()["items"]
    assert [item["id"] for item in by_phone] == [kept]
    # And the merged profile keeps no fragments (nor records any)
    assert recorded_fragments(gone) == []
    assert stored(after_rename) == []


def test_the_backfill_writes_the_fragments_of_older_profiles(runtime, api, agent1, webhook_url, demo):
    # Given a profile whose fragments are missing (written before the Like operator) and one
    # that still has a fragment in the layout before issue 19 (in its own partition)
    word = "q" + secrets.token_hex(4)
    phones = new_customers(runtime, api, agent1, webhook_url, demo, f"Old {word}")
    old = customer_id(api, agent1, phones[f"Old {word}"])
    items = recorded_fragments(old)
    assert items
    assert stored(items) == items
    with CustomerFragmentItem.batch_write() as batch:
        for item in items:
            batch.delete(item)
    legacy = CustomerFragmentItem(keys.customer_pk(old), "FRAG#name#0123456789#000", customer_id=old, field="name",
                                  value=f"old {word}", shown=f"Old {word}")
    legacy.save()
    assert names(api, agent1, f"%ld {word}") == []
    # When the operator runs the backfill
    assert backfill_main(["--endpoint-url", runtime.moto_url, "--app-name", runtime.config.app_name,
                          "--region", runtime.config.region, "--segments", "2"]) == 0
    # Then the profile is found by Like again, with the same fragments, and the old layout's is gone
    assert names(api, agent1, f"%ld {word}") == [f"Old {word}"]
    assert sorted(item.sk for item in stored(items)) == sorted(item.sk for item in items)
    assert list(CustomerFragmentItem.query(keys.customer_pk(old))) == []


def test_the_backfill_moves_older_profiles_to_every_other_suffix(runtime, api, agent1, webhook_url, demo):
    # Given a profile whose fragments are in the layout before issue 19.2 (every suffix)
    word = "q" + secrets.token_hex(4)
    phones = new_customers(runtime, api, agent1, webhook_url, demo, f"Every {word}")
    customer = customer_id(api, agent1, phones[f"Every {word}"])
    profile = CustomerItem.get(keys.customer_pk(customer), keys.CUSTOMER_PROFILE_SK, consistent_read=True)
    values = [tuple(v) for v in json.loads(profile.fragment_values)]
    current = recorded_fragments(customer)
    every = list(fragment_items(customer, values, FragmentLayout.EVERY_START).values())
    with CustomerFragmentItem.batch_write() as batch:
        for item in every:
            batch.save(item)
    profile.update(actions=[CustomerItem.fragment_layout.remove()])
    odd = [item for item in every if item.sk not in {c.sk for c in current}]
    assert odd
    assert stored(odd) == odd
    # Then it is found once meanwhile
    assert names(api, agent1, f"%very {word}") == [f"Every {word}"]
    # When the operator runs the backfill
    assert backfill_main(["--endpoint-url", runtime.moto_url, "--app-name", runtime.config.app_name,
                          "--region", runtime.config.region]) == 0
    # Then only every other suffix is left, and the profile says so
    assert stored(odd) == []
    assert stored(current) == current
    profile.refresh(consistent_read=True)
    assert profile.fragment_layout == CURRENT_LAYOUT
    assert names(api, agent1, f"%very {word}") == [f"Every {word}"]
