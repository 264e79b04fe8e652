"""Channel account administration: add, enable or disable, rotate credentials, route to a team,
routing rules and out-of-office messages (text and media the administrator uploads for the
account, checked against what its channel carries)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from chalicelib.domain.errors import InvalidInput

from . import ids
from .admin_models import (
    DEFAULT_TEAM_ID,
    ChannelAccountView,
    OutOfOfficeDraft,
    OutOfOfficeMedia,
    OutOfOfficeMessage,
    RoutingRule,
)
from .capabilities import text_limit
from .identity import ACCOUNT_WIDE_ROLES, Principal, require_administrator, require_settings_reader
from .models import Channel, ChannelAccount, Page
from .paging import check_limit
from .uploads import Upload, presigned_upload, uploaded

if TYPE_CHECKING:
    from .ports.directory import ChannelAccounts, TeamDirectory
    from .ports.integrations import MediaObjects, SecretWriter

MAX_OUT_OF_OFFICE_MESSAGES = 10
MAX_RULES_PER_ACCOUNT = 50


def accounts_serving(principal: Principal, accounts: ChannelAccounts) -> Callable[[ChannelAccount], bool]:
    """Which accounts bring conversations to the caller's teams: the account's own team, or a
    routing rule to one of them. The roles that see every team are served by every account."""
    if principal.user.role in ACCOUNT_WIDE_ROLES:
        return lambda _account: True
    teams = set(principal.user.team_ids)
    routed = accounts.routed_account_ids(teams)
    return lambda account: account.team_id in teams or account.id in routed


class ChannelAdministration:
    def __init__(self, accounts: ChannelAccounts, teams: TeamDirectory, secrets: SecretWriter,
                 public_webhook_url: str, media: MediaObjects, *,
                 check_credentials: Callable[[Channel, Mapping[str, str]], None],
                 url_problem: Callable[[Channel, str], str | None]) -> None:
        """``public_webhook_url``: the configured base of the webhook URLs ("" when none is); ``url_problem``:
        why a URL may not be a channel's API base URL (private networks, other hosts), else None
        (channels/provider_urls.py, bound to the runtime in the wiring)."""
        self._check_credentials = check_credentials
        self._url_problem = url_problem
        self._accounts = accounts
        self._teams = teams
        self._secrets = secrets
        self._media = media
        self._public_webhook_url = public_webhook_url.rstrip("/")

    def _view(self, account: ChannelAccount, api_url: str) -> ChannelAccountView:
        """The account with the webhook URL to give its provider: on the configured webhook base
        (in AWS the webhooks' own HTTP API, set by the stack), else on the API's URL as the
        administrator's request reached it (``api_url``: where webhooks and API share one base)."""
        base = self._public_webhook_url or api_url.rstrip("/")
        return ChannelAccountView(**account.model_dump(),
                                  webhook_url=f"{base}/webhooks/{account.channel.value}/{account.id}")

    def add(self, principal: Principal, account: ChannelAccount, credentials: Mapping[str, str], *,
            api_url: str = "") -> ChannelAccountView:
        """Store the credentials first, then the account: an account never exists without its
        secret, and a retry after a failure in between overwrites the orphaned secret."""
        require_administrator(principal)
        self._require_team(account.team_id)
        problem = self._url_problem(account.channel, account.api_base_url)
        if problem is not None:
            raise InvalidInput(f"api_base_url: {problem}", field="api_base_url")
        self._check_credentials(account.channel, credentials)
        self._accounts.require_absent(account.id)
        self._secrets.store(account.channel.value, account.id, credentials)
        return self._view(self._accounts.create(account), api_url)

    def list_accounts(self, principal: Principal, *, limit: int, cursor: str | None,
                      api_url: str = "") -> Page[ChannelAccountView]:
        require_settings_reader(principal)
        check_limit(limit)
        page = self._accounts.list_accounts(limit=limit, cursor=cursor)
        return Page[ChannelAccountView](items=[self._view(a, api_url) for a in page.items],
                                        next_cursor=page.next_cursor)

    def team_accounts(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[ChannelAccount]:
        """The accounts that bring conversations to the caller's teams (the account's own team, or
        a routing rule to one of them), for starting a conversation; the roles that see every
        team see every account. A page may hold fewer than ``limit`` accounts: go on while
        ``next_cursor`` is set."""
        check_limit(limit)
        page = self._accounts.list_accounts(limit=limit, cursor=cursor)
        serves = accounts_serving(principal, self._accounts)
        return Page[ChannelAccount](items=[a for a in page.items if serves(a)], next_cursor=page.next_cursor)

    def get(self, principal: Principal, account_id: str, *, api_url: str = "") -> ChannelAccountView:
        require_settings_reader(principal)
        return self._view(self._accounts.require(account_id), api_url)

    def update(self, principal: Principal, account_id: str, *, name: str | None, team_id: str | None,
               enabled: bool | None, api_url: str = "") -> ChannelAccountView:
        """Rename, enable or disable (a disabled account's webhooks get 404), or route the account
        to a team (its conversations without a matching routing rule go there)."""
        require_administrator(principal)
        if team_id is not None:
            self._require_team(team_id)
        return self._view(self._accounts.update(account_id, name=name, team_id=team_id, enabled=enabled), api_url)

    def rotate_credentials(self, principal: Principal, account_id: str, credentials: Mapping[str, str]) -> None:
        require_administrator(principal)
        account = self._accounts.require(account_id)
        self._check_credentials(account.channel, credentials)
        self._secrets.store(account.channel.value, account.id, credentials)

    # --- routing rules ----------------------------------------------------------------------

    def add_rule(self, principal: Principal, *, account_id: str, team_id: str, priority: int,
                 language: str | None, keyword: str | None) -> RoutingRule:
        require_administrator(principal)
        self._accounts.require(account_id)
        self._require_team(team_id)
        if len(self._accounts.rules_for(account_id)) >= MAX_RULES_PER_ACCOUNT:
            raise InvalidInput(f"an account has at most {MAX_RULES_PER_ACCOUNT} routing rules", field="account_id")
        return self._accounts.add_rule(RoutingRule(id=uuid.uuid4().hex[:12], account_id=account_id,
                                                   team_id=team_id, priority=priority, language=language,
                                                   keyword=keyword))

    def list_rules(self, principal: Principal, *, limit: int, cursor: str | None) -> Page[RoutingRule]:
        require_settings_reader(principal)
        check_limit(limit)
        return self._accounts.list_rules(limit=limit, cursor=cursor)

    def account_rules(self, principal: Principal, account_id: str) -> list[RoutingRule]:
        require_settings_reader(principal)
        self._accounts.require(account_id)
        return self._accounts.rules_for(account_id)

    def delete_rule(self, principal: Principal, account_id: str, rule_id: str) -> None:
        require_administrator(principal)
        self._accounts.delete_rule(account_id, rule_id)

    # --- out of office ----------------------------------------------------------------------

    def out_of_office(self, principal: Principal, account_id: str) -> list[OutOfOfficeMessage]:
        require_settings_reader(principal)
        self._accounts.require(account_id)
        return self._accounts.out_of_office(account_id)

    def out_of_office_upload(self, principal: Principal, account_id: str, *, filename: str, content_type: str,
                             size: int) -> Upload:
        """A presigned PUT for one media file of the account's out-of-office replies, if the
        account's channel carries it (else 400 naming content_type or size)."""
        require_administrator(principal)
        account = self._accounts.require(account_id)
        return presigned_upload(self._media, account.channel,
                                lambda token, name: ids.out_of_office_upload_key(account.id, token, name),
                                filename=filename, content_type=content_type, size=size)

    def set_out_of_office(self, principal: Principal, account_id: str,
                          drafts: list[OutOfOfficeDraft]) -> list[OutOfOfficeMessage]:
        """The replies sent, in order, when a customer writes outside the team's office hours
        (an empty list sends none). Media must have been uploaded for this account, and the
        channel must carry what S3 stored."""
        require_administrator(principal)
        account = self._accounts.require(account_id)
        if len(drafts) > MAX_OUT_OF_OFFICE_MESSAGES:
            raise InvalidInput(f"at most {MAX_OUT_OF_OFFICE_MESSAGES} out-of-office messages", field="messages")
        limit = text_limit(account.channel)
        messages: list[OutOfOfficeMessage] = []
        for index, draft in enumerate(drafts):
            if draft.text is not None and len(draft.text) > limit:
                raise InvalidInput(f"message {index + 1} is {len(draft.text)} characters; "
                                   f"{account.channel.value} allows {limit}", field=f"messages.{index}.text")
            messages.append(OutOfOfficeMessage(text=draft.text, media=self._media_of(account, draft, index)))
        self._accounts.set_out_of_office(account_id, messages)
        return messages

    def _media_of(self, account: ChannelAccount, draft: OutOfOfficeDraft, index: int) -> OutOfOfficeMedia | None:
        if draft.media is None:
            return None
        stored = uploaded(self._media, account.channel, ids.out_of_office_upload_prefix(account.id),
                          draft.media.key, draft.media.filename, field=f"messages.{index}.media.key",
                          whose=f"the out-of-office replies of account {account.id}")
        return OutOfOfficeMedia(key=stored.key, content_type=stored.content_type, size=stored.size,
                                filename=stored.filename)

    def _require_team(self, team_id: str) -> None:
        if not self._teams.exists(team_id):
            raise InvalidInput(f"team {team_id} does not exist", field="team_id")


def new_account(*, account_id: str, channel: Channel, name: str, provider_account_id: str, api_base_url: str,
                team_id: str | None) -> ChannelAccount:
    return ChannelAccount(id=account_id, channel=channel, name=name, provider_account_id=provider_account_id,
                          api_base_url=api_base_url, team_id=team_id or DEFAULT_TEAM_ID, enabled=True)
