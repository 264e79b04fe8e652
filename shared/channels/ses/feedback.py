"""SES's delivery feedback about the mail we sent: ``Delivery``, ``Bounce`` and ``Complaint``
notifications (an identity's feedback notifications name their type in ``notificationType``, a
configuration set's event publishing in ``eventType``). They become status updates of the reply
SES's ``mail.messageId`` names: delivered; failed for a permanent bounce (with the receiving
server's diagnostic) or a complaint, which also opts the address out. A transient or
undetermined bounce is no failure: SES keeps trying, and a later notification says how it ended.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.channels.base import invalid_payload
from chalicelib.core.model_base import Model
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import Channel, ChannelAccount, DeliveryStatus, StatusUpdate
from pydantic import ConfigDict, ValidationError

# SES's notifications about the mail we sent (the others, e.g. Send or Open, are ignored).
FEEDBACK_TYPES = frozenset({"Bounce", "Complaint", "Delivery"})


class _Loose(Model):
    # SES adds fields to its notifications without notice.
    model_config = ConfigDict(extra="allow")


class _FeedbackRecipient(_Loose):
    emailAddress: str
    diagnosticCode: str | None = None


class _Bounce(_Loose):
    bounceType: str
    bounceSubType: str = ""
    bouncedRecipients: list[_FeedbackRecipient]
    timestamp: datetime | None = None


class _Complaint(_Loose):
    complainedRecipients: list[_FeedbackRecipient]
    complaintFeedbackType: str | None = None
    timestamp: datetime | None = None


class _Delivery(_Loose):
    recipients: list[str]
    timestamp: datetime | None = None


class _SentMail(_Loose):
    messageId: str
    timestamp: datetime | None = None


class _Feedback(_Loose):
    """A Bounce, Complaint or Delivery notification: ``mail`` names the message we sent."""

    mail: _SentMail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None


def status_updates(kind: str, ses: dict[str, Any], account: ChannelAccount, now: datetime) -> list[StatusUpdate]:
    """The status updates one feedback notification of type ``kind`` (in FEEDBACK_TYPES) carries."""
    try:
        feedback = _Feedback.model_validate(ses)
    except ValidationError as error:
        raise invalid_payload(error, f"not an SES {kind} notification", default_field="Message") from error

    def update(recipient: str, status: DeliveryStatus, at: datetime | None, *, code: str | None = None,
               reason: str | None = None, opted_out: bool = False) -> StatusUpdate:
        return StatusUpdate(channel=Channel.EMAIL, account_id=account.id,
                            provider_message_id=feedback.mail.messageId, customer_id=recipient.strip().lower(),
                            status=status, occurred_at=at or feedback.mail.timestamp or now,
                            error_code=code, error_message=reason, opted_out=opted_out)

    if kind == "Delivery":
        if feedback.delivery is None:
            raise InvalidInput("a Delivery notification needs its delivery object", field="delivery")
        return [update(r, DeliveryStatus.DELIVERED, feedback.delivery.timestamp) for r in feedback.delivery.recipients]
    if kind == "Bounce":
        bounce = feedback.bounce
        if bounce is None:
            raise InvalidInput("a Bounce notification needs its bounce object", field="bounce")
        if bounce.bounceType != "Permanent":
            return []  # Transient or Undetermined: SES goes on trying; not a failure (yet)
        subtype = bounce.bounceSubType or "General"
        return [update(r.emailAddress, DeliveryStatus.FAILED, bounce.timestamp, code=f"bounce.{subtype}",
                       reason=r.diagnosticCode or f"the mail bounced permanently ({subtype})")
                for r in bounce.bouncedRecipients]
    complaint = feedback.complaint
    if complaint is None:
        raise InvalidInput("a Complaint notification needs its complaint object", field="complaint")
    feedback_type = complaint.complaintFeedbackType or "abuse"
    return [update(r.emailAddress, DeliveryStatus.FAILED, complaint.timestamp,
                   code=f"complaint.{feedback_type}", opted_out=True,
                   reason=f"the recipient reported the mail as unwanted ({feedback_type}); "
                          "they are opted out of email")
            for r in complaint.complainedRecipients]
