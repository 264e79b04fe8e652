"""Changes the customer makes to a stored message: an edit (the message takes the new text and
keeps the texts it had) and a reaction (an emoji on the message, or none). Both find the message
by the provider's id (the pointer every stored and sent message has)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.models import Channel
from pynamodb.exceptions import DoesNotExist, UpdateError

from . import keys
from .items import MessageItem, ProviderMessageItem


def _message(channel: Channel, account_id: str, provider_message_id: str) -> MessageItem | None:
    try:
        pointer = ProviderMessageItem.get(keys.provider_message_pk(channel.value, account_id, provider_message_id),
                                          "PMSG")
        return MessageItem.get(keys.conversation_pk(pointer.conversation_id), pointer.message_sk)
    except DoesNotExist:
        return None


class MessageChanges:
    def edit(self, channel: Channel, account_id: str, provider_message_id: str, text: str | None,
             at: datetime) -> bool:
        """Give the message its edited text, keeping the earlier one. False when the message is
        unknown; a redelivered edit (the text is already this one) changes nothing."""
        message = _message(channel, account_id, provider_message_id)
        if message is None:
            return False
        if message.text == text:
            return True
        earlier = [message.text] if message.text is not None else []
        try:
            # Only if nobody edited it in between (two edits apply one after the other).
            message.update(actions=[MessageItem.text.set(text) if text is not None else MessageItem.text.remove(),
                                    MessageItem.earlier_texts.set((message.earlier_texts or []) + earlier),
                                    MessageItem.edited_at.set(at)],
                           condition=(MessageItem.text == message.text) if message.text is not None
                           else MessageItem.text.does_not_exist())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return self.edit(channel, account_id, provider_message_id, text, at)
            raise
        return True

    def react(self, channel: Channel, account_id: str, provider_message_id: str, emoji: str) -> bool:
        """Put the customer's reaction on the message ("" removes it). False when it is unknown."""
        message = _message(channel, account_id, provider_message_id)
        if message is None:
            return False
        message.update(actions=[MessageItem.reaction.set(emoji) if emoji else MessageItem.reaction.remove()])
        return True
