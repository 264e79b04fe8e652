"""What an agent's send is made of (text, attachments, a template), as the API takes it: apart
from the composer (compose.py), so that the API's request schemas build without the use case and
everything a send checks."""

from __future__ import annotations

from pydantic import Field

from .models import Frozen


class AttachmentRef(Frozen):
    """An uploaded object, by the key the upload answer gave."""

    key: str
    filename: str | None = None


class TemplateChoice(Frozen):
    name: str
    language: str
    variables: dict[str, str] = Field(default_factory=dict)


class Draft(Frozen):
    """One outbound message: text with attachments, or a template."""

    text: str | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    template: TemplateChoice | None = None
    # The customer message this reply answers: the reply goes out on that message's channel.
    reply_to: str | None = None
    # Email only: the subject of a message that starts a new thread (a start, or a reply when the
    # customer's mail is not there to answer); a reply in a thread keeps "Re: <its subject>".
    subject: str | None = None
