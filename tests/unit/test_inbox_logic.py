"""Pure inbox logic: placeholders, template variables, search terms and criteria, the index a
list reads, quick-reply shortcuts, formula neutralisation and the outbound content."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from chalicelib.api.schemas.inputs import ConversationListQuery
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.export import neutralise, rows, to_csv, to_xlsx
from chalicelib.domain.models import (
    Attachment,
    Channel,
    ContentKind,
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    Message,
    Role,
    TemplateContent,
    User,
)
from chalicelib.domain.outbound import outbound_content
from chalicelib.domain.placeholders import refuse_unresolved, render, values_for
from chalicelib.domain.quick_replies import catalogue, search
from chalicelib.domain.search import Filters, criteria_for, customer_term, matches, normalise_tag
from chalicelib.domain.templates import fill, parameters_of
from chalicelib.domain.work_models import QuickReply, QuickReplyGroup, Template
from chalicelib.storage import keys
from chalicelib.storage.listing import plan
from pydantic import ValidationError

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
AGENT = User(id="u1", email="niek@example.com", display_name="Niek de Vries", role=Role.AGENT, team_ids=("t",))


def conversation(**changes):
    base = Conversation(id="c1", channel=Channel.WHATSAPP, account_id="a", customer_id="+31612345678",
                        customer_name="Jeremy Bakker", team_id="t", state=ConversationState.ASSIGNED, owner_id="u1",
                        created_at=NOW, last_message_at=NOW + timedelta(hours=1), last_customer_message_at=NOW,
                        preview="", version=1, last_owner_id="u1", tags=("billing",))
    return base.model_copy(update=changes)


# --- placeholders and templates ---


def test_placeholders_are_filled_from_the_conversation_and_the_agent():
    rendered = render("Hoi {{customer}}, je chat met {{ agent_first }} ({{agent}}) {{customer_first}}",
                      values_for(conversation(), AGENT))
    assert rendered.text == "Hoi Jeremy Bakker, je chat met Niek (Niek de Vries) Jeremy"
    assert rendered.missing == ()


def test_unknown_or_empty_placeholders_stay_and_are_named():
    rendered = render("Hi {{customer}}, order {{order}} {{order}}", values_for(conversation(customer_name=None), AGENT))
    assert rendered.text == "Hi {{customer}}, order {{order}} {{order}}"
    assert rendered.missing == ("customer", "order")
    with pytest.raises(InvalidInput, match=r"\{\{customer\}\}, \{\{order\}\}"):
        refuse_unresolved(rendered.text)
    refuse_unresolved("no placeholders { here } 🙂")


def test_template_variables_in_order_and_missing_ones_named():
    template = Template(account_id="a", name="t", language="en", body="Hi {{1}}, about {{2}} and {{1}}",
                        parameters=parameters_of("Hi {{1}}, about {{2}} and {{1}}"))
    assert template.parameters == ("1", "2")
    content, body = fill(template, {"1": "Jeremy", "2": "your order"})
    assert content == TemplateContent(name="t", language="en", variables=["Jeremy", "your order"])
    assert body == "Hi Jeremy, about your order and Jeremy"
    with pytest.raises(InvalidInput) as missing:
        fill(template, {"1": "Jeremy", "2": "  "})
    assert missing.value.field == "template.variables.2"
    with pytest.raises(InvalidInput) as unknown:
        fill(template, {"1": "a", "2": "b", "3": "c"})
    assert unknown.value.field == "template.variables.3"


# --- search terms, criteria and the index a list reads ---


@pytest.mark.parametrize(("raw", "term"), [
    ("0031612345678", "+31612345678"),
    ("+31612345678", "+31612345678"),
    ("+31-612345678", "+31-612345678"),
    (" Jeremy Bakker ", "jeremy bakker"),
    ("0012", "0012"),
])
def test_customer_terms_are_exact_as_the_seed_says(raw, term):
    assert customer_term(raw) == term


def test_tags_are_case_insensitive_and_bounded():
    assert normalise_tag("  VIP   customer ") == "vip customer"
    with pytest.raises(InvalidInput):
        normalise_tag("   ")
    with pytest.raises(InvalidInput):
        normalise_tag("x" * 51)


def test_tabs_become_criteria_and_contradictions_are_refused():
    assert criteria_for("mine", Filters(), team_id="t", user_id="u1").owner_ids == ("u1",)
    assigned = criteria_for("assigned", Filters(agent_ids=("u2",)), team_id="t", user_id="u1")
    assert (assigned.states, assigned.owner_ids, assigned.handler_ids) == ((ConversationState.ASSIGNED,), ("u2",), ())
    assert criteria_for("all", Filters(agent_ids=("u2",)), team_id="t", user_id="u1").handler_ids == ("u2",)
    for view, filters, field in (("new", Filters(states=(ConversationState.ARCHIVED,)), "state"),
                                 ("new", Filters(agent_ids=("u2",)), "agent"),
                                 ("all", Filters(since=NOW, until=NOW), "since"),
                                 ("all", Filters(since=datetime(2024, 5, 1)), "since")):
        with pytest.raises(InvalidInput) as error:
            criteria_for(view, filters, team_id="t", user_id="u1")
        assert error.value.field == field


@pytest.mark.parametrize(("view", "filters", "index", "partition"), [
    ("all", Filters(customer="0031612345678", tags=("x",)), "lookup", "T#t#WHO#+31612345678"),
    ("all", Filters(tags=("Billing",), channels=(Channel.SMS,)), "lookup", "T#t#TAG#billing"),
    ("mine", Filters(channels=(Channel.SMS,)), "owner", "T#t#A#u1"),
    # A channel and the All tab's agent have no index: the team's (or the state's) list, checked per conversation
    ("all", Filters(agent_ids=("u2",), channels=(Channel.SMS,)), "team", "T#t"),
    ("new", Filters(channels=(Channel.SMS,)), "state", "T#t#S#new"),
    ("all", Filters(channels=(Channel.SMS,), states=(ConversationState.ARCHIVED,)), "state", "T#t#S#archived"),
    ("all", Filters(states=(ConversationState.ARCHIVED,)), "state", "T#t#S#archived"),
    ("all", Filters(), "team", "T#t"),
    # Several values of a filter are not a key: the next single-valued one is, else the team
    ("all", Filters(tags=("a", "b"), channels=(Channel.SMS,)), "team", "T#t"),
    ("assigned", Filters(agent_ids=("u2", "u3")), "state", "T#t#S#assigned"),
    ("all", Filters(channels=(Channel.SMS, Channel.WHATSAPP), states=(ConversationState.NEW,)), "state",
     "T#t#S#new"),
    ("all", Filters(states=(ConversationState.NEW, ConversationState.ASSIGNED)), "team", "T#t"),
])
def test_each_list_reads_one_index_by_its_most_selective_key(view, filters, index, partition):
    chosen = plan(criteria_for(view, filters, team_id="t", user_id="u1"))
    assert (chosen.index, chosen.partition) == (index, partition)


def test_several_values_of_a_filter_match_any_of_them():
    criteria = criteria_for("all", Filters(tags=("Billing", "refund"), channels=(Channel.SMS, Channel.WHATSAPP)),
                            team_id="t", user_id="u1")
    assert criteria.tags == ("billing", "refund")
    assert matches(conversation(), criteria, "created")
    assert matches(conversation(tags=("refund",)), criteria, "created")
    assert not matches(conversation(tags=("other",)), criteria, "created")
    assert not matches(conversation(channel=Channel.TELEGRAM), criteria, "created")
    mine = criteria_for("mine", Filters(agent_ids=("u1", "u1")), team_id="t", user_id="u1")
    assert mine.owner_ids == ("u1",)
    with pytest.raises(InvalidInput):
        criteria_for("mine", Filters(agent_ids=("u1", "u2")), team_id="t", user_id="u1")


def test_list_parameters_take_repeated_or_comma_separated_values():
    query = ConversationListQuery.model_validate({"channel": ["whatsapp", "sms,telegram"], "state": "new, assigned",
                                                  "tag": ["a,b", "c"], "agent": "u1"})
    assert query.channel == [Channel.WHATSAPP, Channel.SMS, Channel.TELEGRAM]
    assert query.state == [ConversationState.NEW, ConversationState.ASSIGNED]
    assert query.tag == ["a,b", "c"]
    assert query.filters().agent_ids == ("u1",)
    with pytest.raises(ValidationError):
        ConversationListQuery.model_validate({"channel": "whatsapp,pigeon"})


def test_matches_checks_every_criterion_and_the_half_open_span():
    amsterdam = timezone(timedelta(hours=2))
    base = criteria_for("all", Filters(tags=("Billing",), customer="jeremy bakker", channels=(Channel.WHATSAPP,),
                                       since=NOW.astimezone(amsterdam), until=NOW + timedelta(seconds=1)),
                        team_id="t", user_id="u1")
    assert matches(conversation(), base, "created")
    assert not matches(conversation(tags=()), base, "created")
    assert not matches(conversation(team_id="other"), base, "created")
    assert not matches(conversation(), base, "activity")  # last message is an hour later
    at_until = base.model_copy(update={"since": None, "until": NOW})
    assert not matches(conversation(), at_until, "created")


def test_time_keys_sort_in_utc_whatever_the_offset():
    local = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert keys.time_key(local) == keys.time_key(NOW) == "2024-05-01T12:00:00.000+00:00"
    assert keys.stats_hour_sk(local) == "H#2024-05-01T12"


# --- quick replies, export, outbound ---


def test_quick_reply_shortcuts_follow_group_name_and_position():
    groups = [QuickReplyGroup(id="g2", name="WA"), QuickReplyGroup(id="g1", name="Welkom team")]
    replies = [QuickReply(id="1", group_id="g1", text="Hoi"), QuickReply(id="2", group_id="g2", text="Hi"),
               QuickReply(id="3", group_id="g2", text="Bye {{customer}}")]
    listed = catalogue(groups, replies)
    assert [item.shortcut for item in listed] == ["!WA1", "!WA2", "!Welkomteam1"]
    assert [item.reply.id for item in search(listed, "!wa")] == ["2", "3"]
    assert [item.reply.id for item in search(listed, "!w")] == ["2", "3", "1"]
    assert [item.reply.id for item in search(listed, "!WA2")] == ["3"]
    assert [item.reply.id for item in search(listed, "bye")] == ["3"]


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+31 6", "'+31 6"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("hello = world", "hello = world"), ("", ""),
])
def test_cells_that_could_run_as_formulas_are_neutralised(value, safe):
    assert neutralise(value) == safe


def test_csv_export_neutralises_every_cell():
    message = Message(id="m1", conversation_id="c1", direction=Direction.INBOUND, kind=ContentKind.TEXT,
                      text="=cmd|' /C calc'!A0", sent_at=NOW, status=DeliveryStatus.RECEIVED,
                      provider_message_id=None, author_id=None)
    body = to_csv(rows(conversation(customer_name="-evil"), [message], [], {})).decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in body
    assert "'-evil" in body


def test_outbound_content_sends_text_with_signed_media_or_the_template_alone():
    picture = Attachment(key="uploads/c1/x/p.png", content_type="image/png", filename="p.png", size=3)
    message = Message(id="m1", conversation_id="c1", direction=Direction.OUTBOUND, kind=ContentKind.TEXT,
                      text="Here 📦", sent_at=NOW, status=DeliveryStatus.QUEUED, provider_message_id=None,
                      author_id="u1", attachments=(picture,))
    content = outbound_content(message, lambda a: f"https://signed.example/{a.key}")
    assert content.text == "Here 📦"
    assert [(m.url, m.content_type, m.filename) for m in content.media] == [
        ("https://signed.example/uploads/c1/x/p.png", "image/png", "p.png")]
    template = TemplateContent(name="t", language="en", variables=["a"])
    templated = outbound_content(message.model_copy(update={"template": template, "attachments": ()}),
                                 lambda a: "unused")
    assert templated.template == template
    assert templated.text is None


def test_xlsx_export_keeps_control_characters_out_of_the_xml() -> None:
    # A customer's text with characters XML cannot hold (found by the API fuzz as a 500)
    import io

    from openpyxl import load_workbook

    data = to_xlsx(None, [("2026-01-01", "message", "customer", "bell\x07 and\x1b escape", "", "", "")])  # type: ignore[arg-type]
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet["D2"].value == "bell\ufffd and\ufffd escape"
