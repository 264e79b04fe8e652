"""What a newcomer can try at once, beyond the demo users and channel accounts (``local.seed``):
a second team with its own agent, a supervisor, tags, quick-reply groups with placeholders,
approved templates for the WhatsApp account, a few customers waiting in the Billing team's New
tab, and in the Support team conversations in every state: two waiting in New, one each with
agent1 and agent2 (answered, tagged, with a note), and one archived with tags.
``python -m local --empty`` leaves all of this out (tests and benchmarks start that way, so that
they see only what they make).

Written through the stores the functions use, so the items are the ones the API would write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib import wiring
from chalicelib.domain.admin_models import TeamSettings
from chalicelib.domain.compose_models import Draft
from chalicelib.domain.identity import Principal
from chalicelib.domain.models import Channel, ContentKind, InboundMessage, Role, User
from chalicelib.domain.work_models import QuickReply, QuickReplyGroup, Template
from chalicelib.storage.quick_replies import QuickReplyRepository
from chalicelib.storage.repository import ContactRepository
from chalicelib.storage.tags import TagRepository
from chalicelib.storage.teams import TeamStore
from chalicelib.storage.templates import TemplateRepository

from .provision import LocalResources
from .seed import DEFAULT_TEAM, DEMO_PASSWORD, create_user

BILLING_TEAM = TeamSettings(id="billing", name="Billing")
TAGS = ("vip", "billing", "complaint", "order", "follow-up")


@dataclass(frozen=True)
class ExtraUser:
    email: str
    display_name: str
    role: Role
    team_ids: tuple[str, ...]


EXTRA_USERS = (
    ExtraUser("supervisor@example.com", "Sasha Supervisor", Role.SUPERVISOR, (DEFAULT_TEAM.id, BILLING_TEAM.id)),
    ExtraUser("billing@example.com", "Bo Billing", Role.AGENT, (BILLING_TEAM.id,)),
)

QUICK_REPLIES = {
    QuickReplyGroup(id="greetings", name="Greetings"): (
        "Hi {{customer_first}}, this is {{agent_first}}. How can I help?",
        "Thanks for waiting, {{customer_first}}. I'm looking into it now.",
    ),
    QuickReplyGroup(id="closing", name="Closing"): (
        "Glad I could help, {{customer_first}}. Have a good day!",
        "I'll close this conversation now; write again any time.",
    ),
    QuickReplyGroup(id="billing-replies", name="Billing"): (
        "Your invoice {{invoice_number}} is attached, {{customer_first}}.",
        "The refund of {{amount}} is on its way: 3 to 5 working days.",
    ),
}

TEMPLATES = (
    Template(account_id="wa-demo", name="order_update", language="en",
             body="Hi {{1}}, your order {{2}} has shipped and arrives on {{3}}.",
             parameters=("1", "2", "3"),
             labels={"1": "customer name", "2": "order number", "3": "delivery date"}),
    Template(account_id="wa-demo", name="follow_up", language="en",
             body="Hi {{1}}, we'd like to follow up on your question. Reply here to continue.",
             parameters=("1",), labels={"1": "customer name"}),
    Template(account_id="wa-demo", name="follow_up", language="nl",
             body="Hoi {{1}}, we komen graag terug op je vraag. Antwoord hier om verder te gaan.",
             parameters=("1",), labels={"1": "naam klant"}),
)

# The Support team's conversations: (number, name, messages, who has it, what happened).
SUPPORT_CUSTOMERS = (
    ("31612346001", "Sam Visser", ("Hi! Do you ship to Belgium?",), None, None),
    ("31612346002", "Julia Smit", ("My parcel says delivered but it is not here.", "Tracking 3SABC123."),
     None, None),
    ("31612346003", "Daan Mulder", ("Can I change the size of my order 10388?",), "agent1@example.com", "assigned"),
    ("31612346004", "Sophie de Boer", ("The app logs me out every hour.",), "agent2@example.com", "assigned"),
    ("31612346005", "Lucas Peters", ("Thanks, the replacement arrived!",), "agent1@example.com", "archived"),
)

WAITING_CUSTOMERS = (
    ("31612345001", "Noor de Vries", ("Hello, I was charged twice for my subscription.",
                                      "Order 10422, both on the 3rd.")),
    ("31612345002", "Liam Jansen", ("Can I get an invoice with my company name on it?",)),
    ("31612345003", "Emma Bakker", ("When will my refund arrive?",)),
)


def _threads(customers: tuple[tuple[str, str, tuple[str, ...]], ...], now: datetime) -> list[list[InboundMessage]]:
    return [[InboundMessage(channel=Channel.WHATSAPP, account_id="wa-demo",
                            provider_message_id=f"wamid.DEMO{number}.{index}", customer_id=f"+{number}",
                            customer_name=name, sent_at=now - timedelta(minutes=10 * len(texts) - 5 * index),
                            kind=ContentKind.TEXT, text=text)
             for index, text in enumerate(texts)]
            for number, name, texts in customers]


def _support_conversations(users: list[User], now: datetime) -> None:
    """The Support team's conversations, moved into their states through the use cases the API calls."""
    ids = ContactRepository().import_conversations(
        _threads(tuple((number, name, texts) for number, name, texts, _, _ in SUPPORT_CUSTOMERS), now),
        team_id=DEFAULT_TEAM.id)
    by_email = {user.email: user for user in users}
    lifecycle, composer, notes = wiring.lifecycle(), wiring.composer(), wiring.tags_and_notes()
    for conversation_id, (_, name, _, owner, state) in zip(ids, SUPPORT_CUSTOMERS, strict=True):
        if owner is None:
            continue
        agent = Principal(user=by_email[owner], team_id=DEFAULT_TEAM.id)
        lifecycle.pick_up(agent, conversation_id)
        composer.reply(agent, conversation_id, Draft(text=f"Hi {name.split()[0]}, thanks for writing. Let me check."))
        if state == "archived":
            lifecycle.archive(agent, conversation_id, tags=("order", "follow-up"))
        else:
            notes.add(agent, conversation_id, ["order"])
            notes.add_note(agent, conversation_id, "Customer since 2021; prefers WhatsApp.")


def add_demo_content(local: LocalResources, users: list[User]) -> list[User]:
    """Write the demo content (``users``: the demo users made already); returns the extra users
    (for the start-up summary)."""
    TeamStore().put(BILLING_TEAM)
    extra = [create_user(local, u.email, u.display_name, u.role, u.team_ids, DEMO_PASSWORD)
             for u in EXTRA_USERS]
    now = datetime.now(UTC)
    tags = TagRepository()
    for tag in TAGS:
        tags.define(tag, created_by=None, at=now)
    quick_replies = QuickReplyRepository()
    for group, texts in QUICK_REPLIES.items():
        quick_replies.put_group(group, create=True)
        for number, text in enumerate(texts, start=1):
            quick_replies.put_reply(QuickReply(id=f"{group.id}-{number}", group_id=group.id, text=text), create=True)
    templates = TemplateRepository()
    for template in TEMPLATES:
        templates.put(template)
    ContactRepository().import_conversations(_threads(WAITING_CUSTOMERS, now), team_id=BILLING_TEAM.id)
    _support_conversations(users + extra, now)
    return extra
