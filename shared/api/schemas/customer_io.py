"""Request and response bodies of the customers API (profiles, search, merge, communication log,
consent, attribute definitions), validated at the edge."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core.model_base import Model
from chalicelib.domain.consent import ConsentChange, ConsentState
from chalicelib.domain.customer_profiles import ConversationSummary, CustomerSummary, CustomerView
from chalicelib.domain.customers import AttributeDefinition, CommunicationEntry, Medium, MergeRecord, SearchField
from chalicelib.domain.models import Channel, Direction, Page
from pydantic import ConfigDict, Field

_LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"


class _Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerSearchQuery(_Strict):
    field: SearchField = "name"
    q: str = Field(min_length=1, max_length=320, description="exact ('Maria'), prefix ('Ma%'), or Like with "
                   "'%' anywhere ('%ria', '%ari%', 'M%a%ia'); a phone in any format ('0031 6-1234 5678')")
    region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="the country (ISO 3166, e.g. NL) "
                               "of a phone number written nationally ('06 12345678')")
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)
    team: str | None = Field(default=None, max_length=64)




class AddressInput(_Strict):
    address: str = Field(min_length=3, max_length=330, description="phone:+31612345678, email:ann@example.com, "
                         "telegram:<id>, messenger:<id>, instagram:<id>, viber:<id>")


class MergeInput(_Strict):
    source_id: str = Field(min_length=1, max_length=64, description="the profile merged into this one")
    max_steps: int | None = Field(default=None, ge=1, le=1000, description="bound the work of this call; "
                                  "an in_progress answer is resumed by calling again")


class CommunicationInput(_Strict):
    direction: Direction
    medium: Medium
    text: str = Field(min_length=1, max_length=5000)
    occurred_at: datetime | None = Field(default=None, description="ISO 8601 with offset; default now")
    conversation_id: str | None = Field(default=None, max_length=64, description="shows it in that "
                                        "conversation's export too")


class ConsentInput(_Strict):
    channel: Channel
    opted_out: bool
    detail: str = Field(default="", max_length=500)
    # One address of the profile (``phone:+31...``); without it, every address on the channel.
    address: str | None = Field(default=None, max_length=320)


class CustomerOut(CustomerView):
    pass


class CustomerPage(Page[CustomerSummary]):
    pass


class CustomerConversationPage(Page[ConversationSummary]):
    pass


class CommunicationPage(Page[CommunicationEntry]):
    pass


class MergeOut(MergeRecord):
    pass


class ConsentOut(Model):
    states: list[ConsentState]
    history: list[ConsentChange]


class AttributeDefinitionList(Model):
    items: list[AttributeDefinition]
