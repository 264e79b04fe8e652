"""Users for the administration: create with a seat, list, change role, change teams, profile.

Seats are counted on the service settings item (``seats_used``). Every change that takes a
seat adds one in the same transaction as the user's new role, with the condition
``seats_used < seats``: of concurrent promotions exactly as many win as seats were free.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.admin_models import Profile
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.models import Page, Role, User
from chalicelib.domain.seats import seat_change
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from . import keys
from .admin_items import ProfileItem, ServiceSettingsItem, TeamMemberItem
from .items import TableItem, UserItem
from .repository import _decode_cursor, _encode_cursor
from .service_settings import ensure_settings_item, seats_used

MAX_TEAMS_PER_USER = 50


class NoFreeSeat(Conflict):
    code = "no_free_seat"


def to_user(item: UserItem) -> User:
    return User(id=item.user_id, email=item.email, display_name=item.display_name, role=Role(item.role),
                team_ids=tuple(item.team_ids or ()), mfa_enabled=bool(item.mfa_enabled))


def user_item(user: User) -> UserItem:
    return UserItem(keys.user_pk(user.id), keys.USER_SK, user_id=user.id, email=user.email,
                    display_name=user.display_name, role=user.role.value, team_ids=list(user.team_ids),
                    collection_pk=keys.USERS_COLLECTION, collection_sk=f"{user.email.lower()}#{user.id}")


def _member_item(team_id: str, user_id: str) -> TeamMemberItem:
    return TeamMemberItem(keys.team_pk(team_id), keys.team_member_sk(user_id), team_id=team_id, user_id=user_id)


def _settings_key() -> ServiceSettingsItem:
    return ServiceSettingsItem(keys.SETTINGS_PK, keys.SERVICE_SETTINGS_SK)


def _add_seat_change(transaction: TransactWrite, delta: int) -> None:
    if delta > 0:
        transaction.update(_settings_key(), actions=[ServiceSettingsItem.seats_used.add(delta)],
                           condition=ServiceSettingsItem.seats_used < ServiceSettingsItem.seats)
    elif delta < 0:
        transaction.update(_settings_key(), actions=[ServiceSettingsItem.seats_used.add(delta)],
                           condition=ServiceSettingsItem.pk.exists())


def _reasons(error: TransactWriteError) -> list[str | None]:
    return [reason.code if reason else None for reason in error.cancellation_reasons]


def _no_free_seat(role: Role) -> NoFreeSeat:
    return NoFreeSeat(f"no free seat for the role {role.value}: all seats are in use; make another "
                      "administrator or agent a watcher, or raise the number of seats", field="role")


class UserStore:
    def __init__(self) -> None:
        self._connection: Connection | None = None

    def _conn(self) -> Connection:
        if self._connection is None:
            self._connection = Connection(region=TableItem.Meta.region)
        return self._connection

    def get(self, user_id: str) -> User | None:
        try:
            return to_user(UserItem.get(keys.user_pk(user_id), keys.USER_SK, consistent_read=True))
        except UserItem.DoesNotExist:
            return None

    def require(self, user_id: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist", field="user_id")
        return user

    def create(self, user: User) -> User:
        """Store a new user with their team memberships, taking a seat if their role needs one
        (NoFreeSeat if none is free)."""
        ensure_settings_item()
        try:
            with TransactWrite(connection=self._conn()) as transaction:
                transaction.save(user_item(user), condition=UserItem.pk.does_not_exist())
                _add_seat_change(transaction, seat_change(None, user.role))
                for team_id in user.team_ids:
                    transaction.save(_member_item(team_id, user.id))
        except TransactWriteError as error:
            reasons = _reasons(error)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise Conflict(f"user {user.email} exists already", field="email") from error
            if "ConditionalCheckFailed" in reasons:
                raise _no_free_seat(user.role) from error
            raise
        return user

    def list_users(self, *, limit: int, cursor: str | None) -> Page[User]:
        results: ResultIterator[TableItem] = UserItem.collection.query(
            keys.USERS_COLLECTION, limit=limit, last_evaluated_key=_decode_cursor(cursor))
        items = [to_user(item) for item in results if isinstance(item, UserItem)]
        return Page[User](items=items, next_cursor=_encode_cursor(results.last_evaluated_key))

    def change_role(self, user: User, new_role: Role) -> User:
        """Move ``user`` (as read) to ``new_role``: conditional on the role still being the one
        read, and on a free seat when the new role takes one."""
        if new_role is user.role:
            return user
        ensure_settings_item()
        item = UserItem(keys.user_pk(user.id), keys.USER_SK)
        try:
            with TransactWrite(connection=self._conn()) as transaction:
                transaction.update(item, actions=[UserItem.role.set(new_role.value)],
                                   condition=UserItem.role == user.role.value)
                _add_seat_change(transaction, seat_change(user.role, new_role))
        except TransactWriteError as error:
            reasons = _reasons(error)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise Conflict(f"the role of {user.email} changed meanwhile; read it again", field="role") from error
            if "ConditionalCheckFailed" in reasons:
                raise _no_free_seat(new_role) from error
            raise
        return user.model_copy(update={"role": new_role})

    def set_teams(self, user: User, team_ids: Sequence[str]) -> User:
        """Replace the user's teams (as read) and the teams' member items together."""
        new = tuple(dict.fromkeys(team_ids))
        item = UserItem(keys.user_pk(user.id), keys.USER_SK)
        try:
            with TransactWrite(connection=self._conn()) as transaction:
                transaction.update(item, actions=[UserItem.team_ids.set(list(new))],
                                   condition=UserItem.team_ids == list(user.team_ids))
                for team_id in set(new) - set(user.team_ids):
                    transaction.save(_member_item(team_id, user.id))
                for team_id in set(user.team_ids) - set(new):
                    transaction.delete(_member_item(team_id, user.id))
        except TransactWriteError as error:
            if _reasons(error)[:1] == ["ConditionalCheckFailed"]:
                raise Conflict(f"the teams of {user.email} changed meanwhile; read them again",
                               field="team_ids") from error
            raise
        return user.model_copy(update={"team_ids": new})

    def set_display_name(self, user_id: str, display_name: str) -> None:
        item = UserItem(keys.user_pk(user_id), keys.USER_SK)
        item.update(actions=[UserItem.display_name.set(display_name)], condition=UserItem.pk.exists())

    def set_mfa_enabled(self, user_id: str, enabled: bool) -> None:
        """Whether the user signs in with an authenticator app (mirrors the user pool; read on every request)."""
        UserItem(keys.user_pk(user_id), keys.USER_SK).update(
            actions=[UserItem.mfa_enabled.set(enabled)], condition=UserItem.pk.exists())

    def member_ids(self, team_id: str, *, limit: int, cursor: str | None) -> Page[str]:
        results: ResultIterator[TableItem] = TableItem.query(
            keys.team_pk(team_id), TableItem.sk.startswith(keys.team_member_sk("")), limit=limit,
            last_evaluated_key=_decode_cursor(cursor))
        ids = [item.user_id for item in results if isinstance(item, TeamMemberItem)]
        return Page[str](items=ids, next_cursor=_encode_cursor(results.last_evaluated_key))

    def has_members(self, team_id: str) -> bool:
        return bool(self.member_ids(team_id, limit=1, cursor=None).items)

    def seats_used(self) -> int:
        return seats_used()

    # --- profile --------------------------------------------------------------------------

    def get_profile(self, user: User) -> Profile:
        try:
            item = ProfileItem.get(keys.user_pk(user.id), keys.PROFILE_SK)
        except ProfileItem.DoesNotExist:
            return Profile(display_name=user.display_name)
        return Profile(display_name=user.display_name, language=item.language, time_zone=item.time_zone,
                       dark_mode=bool(item.dark_mode), notifications=item.notifications)

    def put_profile(self, user_id: str, profile: Profile) -> None:
        with TransactWrite(connection=self._conn()) as transaction:
            transaction.save(ProfileItem(keys.user_pk(user_id), keys.PROFILE_SK, language=profile.language,
                                         time_zone=profile.time_zone, dark_mode=profile.dark_mode,
                                         notifications=profile.notifications.value))
            transaction.update(UserItem(keys.user_pk(user_id), keys.USER_SK),
                               actions=[UserItem.display_name.set(profile.display_name)],
                               condition=UserItem.pk.exists())
