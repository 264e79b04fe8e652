"""Channel accounts, their routing rules and their out-of-office messages, for the administration.

Accounts list through the ACCOUNTS partition of the ``collection`` index; the routing rules of
all accounts share the ROUTING partition, sorted by account then priority, so the router reads
one account's rules in order with one Query.
"""

from __future__ import annotations

import json

from chalicelib.domain.admin_models import OutOfOfficeMessage, RoutingRule
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import ChannelAccount, Page
from pydantic import TypeAdapter
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.pagination import ResultIterator

from . import keys
from .admin_cache import ACCOUNTS, OUT_OF_OFFICE, ROUTING_RULES
from .admin_items import OutOfOfficeItem, RoutingRuleItem
from .items import ChannelAccountItem, TableItem
from .repository import (
    _decode_cursor,
    _encode_cursor,
    channel_account_item,
    read_channel_account,
    to_channel_account,
)

_MESSAGES = TypeAdapter(list[OutOfOfficeMessage])


def _to_rule(item: RoutingRuleItem) -> RoutingRule:
    return RoutingRule(id=item.rule_id, account_id=item.account_id, team_id=item.team_id,
                       priority=int(item.priority), language=item.language, keyword=item.keyword)


class ChannelAccountStore:
    # --- accounts ---------------------------------------------------------------------------

    def get(self, account_id: str) -> ChannelAccount | None:
        """Read now, not cached: the administration shows what the table holds."""
        return read_channel_account(account_id)

    def require(self, account_id: str) -> ChannelAccount:
        account = self.get(account_id)
        if account is None:
            raise NotFound(f"channel account {account_id} does not exist", field="account_id")
        return account

    def require_absent(self, account_id: str) -> None:
        if self.get(account_id) is not None:
            raise Conflict(f"channel account {account_id} exists already", field="id")

    def create(self, account: ChannelAccount) -> ChannelAccount:
        try:
            channel_account_item(account).save(condition=ChannelAccountItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict(f"channel account {account.id} exists already", field="id") from error
            raise
        finally:
            ACCOUNTS.invalidate(account.id)  # a webhook may have found it missing before
        return account

    def update(self, account_id: str, *, name: str | None = None, team_id: str | None = None,
               enabled: bool | None = None) -> ChannelAccount:
        actions: list[Action] = []
        if name is not None:
            actions.append(ChannelAccountItem.name.set(name))
        if team_id is not None:
            actions.append(ChannelAccountItem.team_id.set(team_id))
        if enabled is not None:
            actions.append(ChannelAccountItem.enabled.set(enabled))
        if actions:
            try:
                ChannelAccountItem(keys.account_pk(account_id), keys.ACCOUNT_SK).update(
                    actions=actions, condition=ChannelAccountItem.pk.exists())
            except UpdateError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    raise NotFound(f"channel account {account_id} does not exist", field="account_id") from error
                raise
            finally:
                ACCOUNTS.invalidate(account_id)
        return self.require(account_id)

    def list_accounts(self, *, limit: int, cursor: str | None) -> Page[ChannelAccount]:
        results: ResultIterator[TableItem] = ChannelAccountItem.collection.query(
            keys.ACCOUNTS_COLLECTION, limit=limit, last_evaluated_key=_decode_cursor(cursor))
        items = [to_channel_account(item) for item in results if isinstance(item, ChannelAccountItem)]
        return Page[ChannelAccount](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

    # --- routing rules ----------------------------------------------------------------------

    def add_rule(self, rule: RoutingRule) -> RoutingRule:
        RoutingRuleItem(
            keys.ROUTING_PK, keys.routing_rule_sk(rule.account_id, rule.priority, rule.id), rule_id=rule.id,
            account_id=rule.account_id, team_id=rule.team_id, priority=rule.priority, language=rule.language,
            keyword=rule.keyword,
        ).save(condition=RoutingRuleItem.pk.does_not_exist())
        ROUTING_RULES.invalidate(rule.account_id)
        return rule

    def routing_rules(self, account_id: str) -> list[RoutingRule]:
        """The account's rules as routing reads them for every new conversation (cached)."""
        return ROUTING_RULES.get(account_id, lambda: self.rules_for(account_id))

    def rules_for(self, account_id: str) -> list[RoutingRule]:
        """The account's rules by ascending priority, read now (the ROUTING partition holds
        admin-sized data)."""
        results: ResultIterator[TableItem] = TableItem.query(
            keys.ROUTING_PK, TableItem.sk.startswith(keys.routing_rule_prefix(account_id)))
        return [_to_rule(item) for item in results if isinstance(item, RoutingRuleItem)]

    def list_rules(self, *, limit: int, cursor: str | None) -> Page[RoutingRule]:
        results: ResultIterator[TableItem] = TableItem.query(
            keys.ROUTING_PK, TableItem.sk.startswith("RULE#"), limit=limit, last_evaluated_key=_decode_cursor(cursor))
        items = [_to_rule(item) for item in results if isinstance(item, RoutingRuleItem)]
        return Page[RoutingRule](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

    def routed_account_ids(self, team_ids: set[str]) -> set[str]:
        """Accounts with a routing rule to one of these teams: one Query of the whole ROUTING
        partition (admin-sized: at most 50 rules per account)."""
        results: ResultIterator[TableItem] = TableItem.query(keys.ROUTING_PK, TableItem.sk.startswith("RULE#"))
        return {item.account_id for item in results
                if isinstance(item, RoutingRuleItem) and item.team_id in team_ids}

    def delete_rule(self, account_id: str, rule_id: str) -> None:
        rule = next((r for r in self.rules_for(account_id) if r.id == rule_id), None)
        if rule is None:
            raise NotFound(f"routing rule {rule_id} of account {account_id} does not exist", field="rule_id")
        RoutingRuleItem(keys.ROUTING_PK, keys.routing_rule_sk(account_id, rule.priority, rule.id)).delete()
        ROUTING_RULES.invalidate(account_id)

    # --- out of office ----------------------------------------------------------------------

    def auto_replies(self, account_id: str) -> list[OutOfOfficeMessage]:
        """The account's out-of-office messages as the out-of-office worker reads them (cached)."""
        return OUT_OF_OFFICE.get(account_id, lambda: self.out_of_office(account_id))

    def out_of_office(self, account_id: str) -> list[OutOfOfficeMessage]:
        """Read now (the administration)."""
        try:
            item = OutOfOfficeItem.get(keys.account_pk(account_id), keys.OUT_OF_OFFICE_SK)
        except OutOfOfficeItem.DoesNotExist:
            return []
        return _MESSAGES.validate_python(json.loads(item.messages))

    def set_out_of_office(self, account_id: str, messages: list[OutOfOfficeMessage]) -> None:
        if not messages:
            OutOfOfficeItem(keys.account_pk(account_id), keys.OUT_OF_OFFICE_SK).delete()
        else:
            OutOfOfficeItem(keys.account_pk(account_id), keys.OUT_OF_OFFICE_SK,
                            messages=_MESSAGES.dump_json(messages).decode()).save()
        OUT_OF_OFFICE.invalidate(account_id)
