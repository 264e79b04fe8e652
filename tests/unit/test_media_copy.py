"""The media worker's decisions: attach what was copied, retry what may pass through the
delayed-retry machine for a bounded time, record what cannot be copied with its reason."""

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.media_copy import MediaCopier
from chalicelib.domain.models import Attachment, Channel, ChannelAccount, MediaCopyRequest, MediaIssue, MediaRef
from chalicelib.domain.ports.integrations import MediaRefused
from chalicelib.domain.retry import RetryPolicy

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
ACCOUNT = ChannelAccount(id="wa-1", channel=Channel.WHATSAPP, name="wa", provider_account_id="1",
                         api_base_url="http://127.0.0.1:9", team_id="default", enabled=True)


class Fakes:
    def __init__(self, outcomes: list[Attachment | MediaRefused]) -> None:
        self.outcomes = outcomes
        self.marked: list[MediaIssue] = []
        self.attached: list[tuple[int, Attachment]] = []
        self.started: list[dict[str, Any]] = []

    # the channel accounts, the media copier, the slots and the state machine starter in one
    def cached(self, account_id: str) -> ChannelAccount:
        return ACCOUNT

    def copy(self, account: ChannelAccount, message_id: str, refs: list[MediaRef],
             indexes: list[int] | None = None) -> list[Attachment | MediaRefused]:
        return self.outcomes

    def mark(self, conversation_id: str, message_id: str, issues: list[MediaIssue]) -> None:
        self.marked.extend(issues)

    def attach(self, conversation_id: str, message_id: str, index: int, attachment: Attachment) -> None:
        self.attached.append((index, attachment))

    def start(self, arn: str, payload: dict[str, Any], *, name: str | None = None, if_absent: bool = False) -> None:
        self.started.append(payload)


def run(fakes: Fakes, *, queued_at: datetime = NOW) -> None:
    copier = MediaCopier(fakes, fakes, fakes, fakes, retry_machine_arn="arn:retry",  # type: ignore[arg-type]
                         media_queue_url="https://sqs/media.fifo", policy=RetryPolicy(base_seconds=1,
                                                                                      horizon=timedelta(hours=1)),
                         clock=lambda: NOW)
    refs = [MediaRef(provider_media_id="1", content_type="image/jpeg"),
            MediaRef(provider_media_id="2", content_type="video/mp4")]
    copier.handle(MediaCopyRequest(conversation_id="c1", message_id="m1", account_id="wa-1", media=refs,
                                   indexes=[0, 1], first_queued_at=queued_at))


def test_copied_media_is_attached_and_a_transient_failure_retried_through_the_retry_machine():
    photo = Attachment(key="inbound/wa-1/m1/0", content_type="image/jpeg", size=10)
    fakes = Fakes([photo, MediaRefused("the media host timed out", permanent=False)])
    run(fakes)
    assert fakes.attached == [(0, photo)]
    assert [(i.index, i.state, i.reason) for i in fakes.marked] == [(1, "retrying", "the media host timed out")]
    [retry] = fakes.started
    body = MediaCopyRequest.model_validate_json(retry["body"])
    assert (body.indexes, body.attempt, retry["queue_url"]) == ([1], 1, "https://sqs/media.fifo")


def test_a_permanent_failure_and_one_past_the_horizon_are_recorded_not_retried():
    fakes = Fakes([MediaRefused("HTTP 404: the provider no longer serves it"),
                   MediaRefused("the media host timed out", permanent=False)])
    run(fakes, queued_at=NOW - timedelta(hours=2))
    assert [(i.state, i.reason) for i in fakes.marked] == [
        ("failed", "HTTP 404: the provider no longer serves it"),
        ("failed", "gave up retrying: the media host timed out")]
    assert fakes.started == []
