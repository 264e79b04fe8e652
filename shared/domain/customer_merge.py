"""Merging two profiles of one customer (handbook 003: "customer profiles should be merged").

The source's addresses, conversations and communication log move to the kept profile; the kept
profile's name, language and attribute values win, the source's fill what it lacks (notes of a
conversation travel with the conversation; consent belongs to the address and does not move).
The source stays as a pointer (``merged_into``): its old id still finds the customer.

One TransactWriteItems when the merge fits in one (100 actions), else a resumable sequence of
transactions recorded on the merge record (``storage/customer_merge.py``). Running the same merge
again resumes one that stopped halfway; ``max_steps`` bounds the work of one call (the answer
then says ``in_progress`` and the caller calls again).

Each conversation that moves gets a line of its story (domain/story.py) saying which customer was
merged into which and by whom, written in the transaction that moves it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import Conflict, InvalidInput

from . import ids
from .customer_profiles import require_customer_writer
from .customers import TRANSACTION_LIMIT, CustomerProfile, MergeRecord, MergeState, merge_actions, merged_profile_fields
from .identity import Principal, require_working_role
from .models import Message, SystemEvent, SystemEventKind
from .story import system_line

if TYPE_CHECKING:
    from .ports.customers import CustomerDirectory, Merges


class CustomerMerger:
    def __init__(self, customers: CustomerDirectory, merges: Merges[Any], clock: Callable[[], datetime], *,
                 transaction_limit: int = TRANSACTION_LIMIT) -> None:
        self._customers = customers
        self._merges = merges
        self._clock = clock
        self._limit = transaction_limit

    def merge(self, principal: Principal, kept_id: str, source_id: str, *,
              max_steps: int | None = None) -> MergeRecord:
        require_working_role(principal)
        if kept_id == source_id:
            raise InvalidInput("a profile cannot be merged into itself", field="source_id")
        kept = self._profile(kept_id, "customer_id")
        source = self._profile(source_id, "source_id")
        # An agent merges only profiles of their teams' customers: the kept one here, the source
        # before a new merge starts (one merged or being merged has moved its conversations).
        require_customer_writer(self._customers, principal, kept)
        if source.merged_into == kept.id:
            done = next((r for r in self._merges.records(kept.id) if r.source_id == source.id), None)
            if done is not None:
                return done  # merged already: the same request again
        if source.merging_into == kept.id:
            record = self._merges.pending(kept.id, source.id)
            if record is not None:
                return self._run(kept.id, source.id, record, max_steps, self._story(kept, source, principal))
        for profile, field in ((kept, "customer_id"), (source, "source_id")):
            if profile.merged_into or profile.merging_into:
                raise Conflict(f"customer {profile.id} was merged into {profile.merged_into or profile.merging_into}",
                               field=field)
        require_customer_writer(self._customers, principal, source)
        now = self._clock()
        record = MergeRecord(id=ids.sortable_id(now), kept_id=kept.id, source_id=source.id, kept_name=kept.name,
                             source_name=source.name, by_id=principal.id,
                             by_name=principal.user.display_name, started_at=now, state=MergeState.IN_PROGRESS)
        items = self._merges.source_items(source.id)
        actions = merge_actions(len(items.addresses), len(items.conversations), len(items.log_entries),
                                len(items.open_markers))
        story = self._story(kept, source, principal)
        if actions <= self._limit:
            return self._merges.in_one(kept, source, merged_profile_fields(kept, source), record, items, story)
        self._merges.begin(kept, source, record)
        return self._run(kept.id, source.id, record, max_steps, story)

    def _story(self, kept: CustomerProfile, source: CustomerProfile,
               principal: Principal) -> Callable[[str], Message]:
        """The merge's line for the thread of each conversation it moves."""
        event = SystemEvent(kind=SystemEventKind.MERGED, actor_id=principal.id,
                            actor_name=principal.user.display_name, merged_from=self._label(source),
                            merged_into=self._label(kept))
        return lambda conversation_id: system_line(conversation_id, event, self._clock())

    def _label(self, profile: CustomerProfile) -> str:
        """How the line names a profile: its name, else its first address (a number, an email)."""
        if profile.name and profile.name.strip():
            return profile.name.strip()
        addresses = self._customers.addresses(profile.id)
        return addresses[0][0].search_text if addresses else profile.id

    def _run(self, kept_id: str, source_id: str, record: MergeRecord, max_steps: int | None,
             story: Callable[[str], Message]) -> MergeRecord:
        steps = 0
        while True:
            left = self._merges.source_items(source_id)
            if left.empty:
                break
            for step in self._merges.split(left, self._limit - 1):  # one action of each step notes it on the record
                if max_steps is not None and steps >= max_steps:
                    return self._merges.pending(kept_id, source_id) or record
                self._merges.move(kept_id, record, step, story)
                steps += 1
        # Read again: the kept profile may have been edited while the steps ran.
        kept, source = self._profile(kept_id, "customer_id"), self._profile(source_id, "source_id")
        self._merges.finish(kept, source, merged_profile_fields(kept, source), record, self._clock())
        return next(r for r in self._merges.records(kept_id) if r.id == record.id)

    def _profile(self, customer_id: str, field: str) -> CustomerProfile:
        """The profile itself: a merge names profiles, never the ones they were merged into."""
        profile = self._customers.get(customer_id)
        if profile is None:
            raise InvalidInput(f"customer {customer_id} does not exist", field=field)
        return profile
