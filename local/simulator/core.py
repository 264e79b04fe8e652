"""The simulator's core: the accounts it plays providers for, customers' messages out to our
webhooks, what agents sent in, status callbacks back, and planned send failures."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from local.mailbox import Mailbox

from .meta import GraphApi
from .model import (
    FAILURE_MODES,
    Blob,
    CustomerMessage,
    Provider,
    ProviderApi,
    SentRecord,
    SimulatedAccount,
    StoredMail,
    WebhookCall,
)
from .ses import FEEDBACK_MODES, SentMail, SesProvider
from .telegram import TelegramProvider
from .twilio import TwilioProvider
from .viber import ViberProvider

log = logging.getLogger("local.simulator")

STATUS_DELAY_SECONDS = 0.2
STATUSES_FIRST_ANSWER_DELAY_SECONDS = 1.0
# How often the simulator looks at what SES (moto) sent, so that SES's feedback follows each mail.
MAIL_WATCH_SECONDS = 0.2
WEBHOOK_TIMEOUT_SECONDS = 10


class UnknownAccount(LookupError):
    pass


@dataclass
class FailurePlan:
    mode: str = ""  # "", "500", "429" or "permanent"
    remaining: int = 0
    after: int = 0  # sends that go through first (fail the second part of a reply: after=1)
    to: str = ""  # only sends to this recipient (the customer's id on the channel); "" for any send


class ChannelSimulator:
    """Plays every provider the product supports, in the providers' own wire formats."""

    def __init__(self, *, mail_store: Callable[[StoredMail], None] | None = None,
                 sent_mail: Callable[[], Sequence[SentMail]] | None = None,
                 staff_mailbox: Mailbox | None = None,
                 status_delay_seconds: float = STATUS_DELAY_SECONDS) -> None:
        graph = GraphApi()
        telegram, twilio, viber = TelegramProvider(), TwilioProvider(), ViberProvider()
        ses = SesProvider(base_url=lambda: self.url)
        self.providers: dict[str, Provider] = {**graph.products, "telegram": telegram, "sms": twilio,
                                               "viber": viber, "email": ses}
        self.apis: dict[str, ProviderApi] = {api.prefix: api for api in (graph, telegram, twilio, viber, ses)}
        self._ses = ses
        self._graph = graph
        # The agents' own mail (invitations, reset codes) from the user pool: local/mailbox.py.
        self.staff_mailbox = staff_mailbox or Mailbox()
        # The local scheduler's "run the auto-deletion sweep now" (local/schedules.py), set by the runtime.
        self.sweep: Callable[[str | None], dict[str, str]] | None = None
        self._mail_store = mail_store
        self._sent_mail = sent_mail
        self._mail_seen = 0
        self._status_delay = status_delay_seconds
        self._lock = threading.Lock()
        self._accounts: dict[tuple[str, str], SimulatedAccount] = {}
        self._outbox: list[SentRecord] = []
        self._customer_messages: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []
        self._failures: dict[str, FailurePlan] = {}
        self._media: dict[str, Blob] = {}
        # Media whose host answers slowly: seconds each call that hands them over takes.
        self._slow_media: dict[str, float] = {}
        # (channel, customer) whose sends have their statuses reported before the send is answered.
        self._statuses_first: set[tuple[str, str]] = set()
        self._closed = threading.Event()
        # Status reports still to be posted (each runs on a thread of its own): settle() waits for them.
        self._reporting = 0
        self._reported = threading.Condition(self._lock)
        self._watching = False
        self.url = ""  # where the simulator is served; set by serve()

    # --- accounts -------------------------------------------------------------------------------

    def add_account(self, account: SimulatedAccount) -> None:
        if account.channel not in self.providers:
            raise ValueError(f"the simulator plays no provider for channel {account.channel!r}")
        with self._lock:
            self._accounts[(account.channel, account.account_id)] = account

    def accounts(self, channel: str | None = None) -> list[SimulatedAccount]:
        with self._lock:
            return [a for a in self._accounts.values() if channel is None or a.channel == channel]

    def set_templates(self, account: SimulatedAccount, templates: list[dict[str, Any]]) -> None:
        """The message templates the WhatsApp account's business account lists from now on."""
        waba_id = account.details.get("waba_id")
        if not waba_id:
            raise ValueError(f"account {account.account_id} has no WhatsApp Business Account here")
        self._graph.templates[waba_id] = list(templates)

    def account(self, channel: str, key: str) -> SimulatedAccount:
        """An account by our account id or by its provider id (a WhatsApp phone_number_id...)."""
        for account in self.accounts(channel):
            if key in {account.account_id, account.provider_account_id}:
                return account
        raise UnknownAccount(f"no simulated {channel} account {key!r}")

    # --- customers write ------------------------------------------------------------------------

    def customer_says(self, channel: str, account_key: str, message: CustomerMessage) -> tuple[int, str]:
        """Deliver a customer's message to the account's webhook as the provider would; the
        webhook's HTTP status and the provider's id of the message."""
        account = self.account(channel, account_key)
        inbound = self.providers[channel].customer_writes(account, message, self.url)
        with self._lock:
            if not message.media_gone:
                self._media.update(inbound.media)
            if message.media_delay:
                self._slow_media.update(dict.fromkeys(inbound.media, message.media_delay))
            self._customer_messages.append({
                "channel": channel, "account": account.account_id, "from": message.customer, "name": message.name,
                "text": message.text, "image": message.image, "id": inbound.message_id, "timestamp": time.time()})
        if inbound.mail is not None:
            if self._mail_store is None:
                raise RuntimeError("no mail bucket configured for the SES simulation")
            self._mail_store(inbound.mail)
        return self._post(inbound.call).status_code, inbound.message_id

    def _post(self, call: WebhookCall) -> requests.Response:
        return requests.post(call.url, data=call.body, headers=dict(call.headers), timeout=WEBHOOK_TIMEOUT_SECONDS)

    # --- agents' messages come in -----------------------------------------------------------------

    def report_statuses_first(self, channel: str, customer: str) -> None:
        """From now on, the provider reports the statuses of a send to this customer before it
        answers the send call (a status webhook that outruns the API's answer)."""
        with self._lock:
            self._statuses_first.add((channel, customer.lstrip("+")))

    def record_sent(self, account: SimulatedAccount, record: SentRecord) -> None:
        with self._lock:
            self._outbox.append(record)
            first = (account.channel, record.to.lstrip("+")) in self._statuses_first
        provider = self.providers[account.channel]
        if first:
            self._post_statuses(provider, account, record, delay=0.0)
            # A slow answer: the status webhooks are taken (and routed) before the sender learns the id.
            time.sleep(STATUSES_FIRST_ANSWER_DELAY_SECONDS)
        elif provider.statuses(record):
            with self._lock:
                self._reporting += 1
            threading.Thread(target=self._report_statuses, args=(provider, account, record), daemon=True,
                             name=f"statuses-{record.provider_message_id[:16]}").start()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until every status report of the messages sent so far has been posted (or has
        failed); False if some are still pending after the timeout. Tests that count what reached
        the webhooks call it first, so a late "read" from an earlier send is not counted as theirs."""
        with self._reported:
            return self._reported.wait_for(lambda: self._reporting == 0, timeout=timeout)

    def _report_statuses(self, provider: Provider, account: SimulatedAccount, record: SentRecord) -> None:
        try:
            self._post_statuses(provider, account, record)
        finally:
            with self._reported:
                self._reporting -= 1
                self._reported.notify_all()

    def _post_statuses(self, provider: Provider, account: SimulatedAccount, record: SentRecord,
                       delay: float | None = None) -> None:
        for status in provider.statuses(record):
            time.sleep(self._status_delay if delay is None else delay)
            try:
                answer = self._post(provider.status_call(account, record, status))
            except requests.RequestException as error:
                log.warning("%s status %s for %s failed: %s", account.channel, status, record.provider_message_id,
                            error)
                continue
            if answer.ok:
                with self._lock:
                    record.statuses.append(status)
            else:
                log.warning("%s status %s for %s answered HTTP %s", account.channel, status,
                            record.provider_message_id, answer.status_code)

    def outbox(self, channel: str | None = None) -> list[dict[str, Any]]:
        self._collect_mail()
        with self._lock:
            return [r.as_dict() for r in self._outbox if channel is None or r.channel == channel]

    def customer_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._customer_messages if channel is None or m["channel"] == channel]

    def _collect_mail(self) -> None:
        """Take what SES sent since the last look into the outbox; SES's feedback on each mail
        (a planned bounce or complaint, else a delivery) goes to the account's webhook."""
        if self._sent_mail is None:
            return
        mail_accounts = self.accounts("email")
        taken: list[tuple[SimulatedAccount, SentRecord]] = []
        with self._lock:
            sent = list(self._sent_mail())[self._mail_seen:]
            self._mail_seen += len(sent)
            for ses_message_id, raw in sent:
                for account in mail_accounts:
                    record = self._ses.sent(account, ses_message_id, raw)
                    if record is not None:
                        taken.append((account, record))
                        break
        for account, record in taken:
            self._ses.plan_feedback(record.provider_message_id, self.take_failure("email", record.to))
            self.record_sent(account, record)

    def watch_mail(self) -> None:
        """Look at what SES sent every moment (not only when the outbox is read), so that SES's
        feedback follows each mail as it would; stopped by close()."""
        if self._sent_mail is None or self._watching:
            return
        self._watching = True
        threading.Thread(target=self._watch_mail, name="simulator-ses", daemon=True).start()

    def _watch_mail(self) -> None:
        while not self._closed.wait(MAIL_WATCH_SECONDS):
            try:
                self._collect_mail()
            except Exception as error:  # moto stopping under the loop must not end it loudly
                log.debug("reading SES's sent mail failed: %s", error)

    def close(self) -> None:
        self._closed.set()

    # --- media the providers serve ----------------------------------------------------------------

    def media(self, media_id: str) -> Blob | None:
        with self._lock:
            blob = self._media.get(media_id)
            delay = self._slow_media.get(media_id, 0.0)
        if delay:
            time.sleep(delay)  # a slow media host: every call that hands the media over waits
        return blob

    def base_url(self) -> str:
        return self.url

    def customer_name(self, channel: str, account_id: str, customer: str) -> str | None:
        with self._lock:
            return next((m["name"] for m in reversed(self._customer_messages)
                         if (m["channel"], m["account"], m["from"]) == (channel, account_id, customer)), None)

    def record_call(self, channel: str, method: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self._calls.append({"channel": channel, "method": method, "payload": payload})

    def calls(self, channel: str, method: str) -> list[dict[str, Any]]:
        """The API calls of that method the simulator took (record_call), oldest first."""
        with self._lock:
            return [call["payload"] for call in self._calls if (call["channel"], call["method"]) == (channel, method)]

    # --- planned failures -------------------------------------------------------------------------

    def fail_next(self, channel: str, mode: str, count: int, after: int = 0, to: str = "") -> None:
        """Make the next ``count`` sends on this channel fail with ``mode``: "500", "429" (the
        provider's rate limiting) or "permanent" (the provider's "will never be delivered"),
        once ``after`` sends went through (a reply's later part); with ``to``, only sends to that
        recipient count, so a plan meant for one conversation is not used up by another's send
        (an out-of-office reply or a retry of an earlier conversation going out in between).
        Email goes out through SES on moto, which always takes it: its failures come afterwards,
        as SES's feedback, "bounce" (permanent) or "complaint"."""
        if channel not in self.providers:
            raise ValueError(f"sends on {channel!r} cannot be made to fail here")
        modes = FEEDBACK_MODES if channel == "email" else FAILURE_MODES
        if mode not in modes and count > 0:
            raise ValueError(f"{channel} failure mode must be one of {', '.join(modes)}")
        with self._lock:
            self._failures[channel] = FailurePlan(mode=mode, remaining=max(0, count), after=max(0, after), to=to)

    def take_failure(self, channel: str, recipient: str = "") -> str:
        with self._lock:
            plan = self._failures.get(channel)
            if plan is None or plan.remaining <= 0 or (plan.to and plan.to != recipient):
                return ""
            if plan.after > 0:
                plan.after -= 1
                return ""
            plan.remaining -= 1
            return plan.mode
