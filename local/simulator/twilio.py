"""Twilio Programmable Messaging (SMS and MMS): form-encoded webhooks signed in
``X-Twilio-Signature`` (Base64 HMAC-SHA1, keyed with the auth token, of the full URL followed by
the POST parameters sorted by name, each name then its value), the REST API's
``/2010-04-01/Accounts/<AccountSid>/Messages.json`` with Basic auth, the Media resources that
``MediaUrl{N}`` points at (which redirect to the file on the media host, here the simulator's
``/cdn/``, as Twilio's redirect to its CDN), and ``StatusCallback`` form posts (sent, then
delivered)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .model import (
    ApiAnswer,
    ApiRequest,
    Blob,
    CustomerMessage,
    Inbound,
    SentRecord,
    SimulatedAccount,
    Switchboard,
    WebhookCall,
)
from .sample import CONTENT_TYPE, sample_png

API_VERSION = "2010-04-01"
SIGNATURE_HEADER = "X-Twilio-Signature"


def twilio_signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    data = url + "".join(name + value for name, value in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _error(status: int, code: int, message: str) -> ApiAnswer:
    return ApiAnswer.of(status, {"code": code, "message": message, "status": status,
                                 "more_info": f"https://www.twilio.com/docs/errors/{code}"})


def _signed_form(url: str, params: list[tuple[str, str]], auth_token: str) -> WebhookCall:
    return WebhookCall(url, {"Content-Type": "application/x-www-form-urlencoded",
                             "I-Twilio-Idempotency-Token": secrets.token_hex(16),
                             SIGNATURE_HEADER: twilio_signature(url, params, auth_token)},
                       urlencode(params).encode())


class TwilioProvider:
    channel = "sms"
    prefix = "twilio"

    # --- towards our webhook ------------------------------------------------------------------

    def customer_writes(self, account: SimulatedAccount, message: CustomerMessage, media_base_url: str) -> Inbound:
        account_sid = account.credentials["account_sid"]
        sid = _sid("MM" if message.image else "SM")
        media: dict[str, Blob] = {}
        params = [("ToCountry", "US"), ("ToState", "CA"), ("SmsMessageSid", sid), ("NumMedia", "0"),
                  ("ToCity", ""), ("FromZip", ""), ("SmsSid", sid), ("FromState", ""), ("SmsStatus", "received"),
                  ("FromCity", ""), ("Body", message.text), ("FromCountry", ""), ("To", account.provider_account_id),
                  ("ToZip", ""), ("NumSegments", "1"), ("MessageSid", sid), ("AccountSid", account_sid),
                  ("From", message.customer), ("ApiVersion", API_VERSION)]
        if message.image:
            media_sid = _sid("ME")
            media[media_sid] = Blob(sample_png(), CONTENT_TYPE)
            params[3] = ("NumMedia", "1")
            params += [("MediaContentType0", CONTENT_TYPE),
                       ("MediaUrl0", f"{media_base_url}/{self.prefix}/{API_VERSION}/Accounts/{account_sid}"
                                     f"/Messages/{sid}/Media/{media_sid}")]
        return Inbound(_signed_form(account.webhook_url, params, account.credentials["auth_token"]), sid, media)

    def statuses(self, record: SentRecord) -> list[str]:
        return ["sent", "delivered"] if record.status_callback else []

    def status_call(self, account: SimulatedAccount, record: SentRecord, status: str) -> WebhookCall:
        assert record.status_callback is not None
        sid = record.provider_message_id
        params = [("SmsSid", sid), ("SmsStatus", status), ("MessageStatus", status), ("To", record.to),
                  ("MessageSid", sid), ("AccountSid", account.credentials["account_sid"]),
                  ("From", str(record.payload.get("From") or account.provider_account_id)),
                  ("ApiVersion", API_VERSION)]
        if record.payload.get("MessagingServiceSid"):
            params.append(("MessagingServiceSid", str(record.payload["MessagingServiceSid"])))
        return _signed_form(record.status_callback, params, account.credentials["auth_token"])

    def failure(self, mode: str) -> ApiAnswer:
        if mode == "500":
            return _error(500, 20500, "Internal Server Error")
        if mode == "429":
            return _error(429, 20429, "Too Many Requests")
        return _error(400, 21610, "Attempt to send to unsubscribed recipient")

    # --- the REST API ---------------------------------------------------------------------------

    def handle(self, request: ApiRequest, switchboard: Switchboard) -> ApiAnswer:
        parts = request.parts
        if len(parts) < 4 or parts[0] != API_VERSION or parts[1] != "Accounts":
            return _error(404, 20404, "The requested resource was not found")
        account = next((a for a in switchboard.accounts(self.channel)
                        if a.credentials["account_sid"] == parts[2]), None)
        if request.method == "GET" and len(parts) == 7 and parts[3] == "Messages" and parts[5] == "Media":
            if account is None or switchboard.media(parts[6]) is None:
                return _error(404, 20404, "The requested resource was not found")
            return ApiAnswer(307, b"", "text/plain", (("Location", f"{switchboard.base_url()}/cdn/{parts[6]}"),))
        if request.method != "POST" or parts[3:] != ["Messages.json"]:
            return _error(404, 20404, "The requested resource was not found")
        if account is None or not self._authorised(account, request.headers.get("authorization", "")):
            return _error(401, 20003, "Authenticate")
        try:
            form = parse_qsl(request.body.decode(), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return _error(400, 20001, "Invalid form body")
        planned = switchboard.take_failure(self.channel, dict(form).get("To", ""))
        if planned:
            return self.failure(planned)
        return self._create(account, form, switchboard)

    @staticmethod
    def _authorised(account: SimulatedAccount, authorization: str) -> bool:
        pair = f"{account.credentials['account_sid']}:{account.credentials['auth_token']}".encode()
        return hmac.compare_digest(authorization.encode(), b"Basic " + base64.b64encode(pair))

    def _create(self, account: SimulatedAccount, form: list[tuple[str, str]], switchboard: Switchboard) -> ApiAnswer:
        fields = dict(form)
        media_urls = [value for name, value in form if name == "MediaUrl"]
        to = fields.get("To", "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        sender = fields.get("From") or fields.get("MessagingServiceSid") or ""
        if sender != account.provider_account_id:
            return _error(400, 21606, f"The From phone number {sender} is not a valid, SMS-capable inbound "
                                      "phone number or short code for your account.")
        body = fields.get("Body", "")
        if not body and not media_urls:
            return _error(400, 21602, "Message body is required.")
        sid = _sid("MM" if media_urls else "SM")
        payload: dict[str, Any] = {**fields, "MediaUrl": media_urls} if media_urls else dict(fields)
        record = SentRecord(self.channel, account.account_id, to, body or "[media]", payload, sid,
                            status_callback=fields.get("StatusCallback") or None)
        switchboard.record_sent(account, record)
        now = formatdate(usegmt=True)
        return ApiAnswer.of(201, {
            "account_sid": account.credentials["account_sid"], "api_version": API_VERSION, "body": body,
            "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": fields.get("From"),
            "messaging_service_sid": fields.get("MessagingServiceSid"), "num_media": str(len(media_urls)),
            "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid, "status": "queued", "to": to,
            "uri": f"/{API_VERSION}/Accounts/{account.credentials['account_sid']}/Messages/{sid}.json"})
