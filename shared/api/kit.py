"""The route kit: what every route of the API shares, and the one place that enforces access.

A route declares who may call it (one of the access labels below, also its "Roles:" line in the
OpenAPI document). The kit resolves the caller before the view runs: no valid token is a 401, a
disabled user or a team they may not act in a 403, a role the label excludes outright a 403; the
view receives the resolved ``principal`` and its use case checks team and ownership. Domain and
validation errors become HTTP answers here, in ``_error_answer``, the one mapping.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from chalice import Response  # type: ignore[attr-defined]
from chalice.app import Request
from chalicelib import wiring
from chalicelib.api.queue_kit import QueueBlueprint
from chalicelib.api.schemas.paging import PageQuery
from chalicelib.api.telemetry import logger
from chalicelib.core import cursors
from chalicelib.core.problems import first_problem
from chalicelib.domain import errors
from chalicelib.domain.identity import ACCOUNT_WIDE_ROLES, Principal, principal_for, require_administrator
from chalicelib.domain.models import Page
from pydantic import BaseModel, ValidationError

# --- access labels ------------------------------------------------------------------------
# Read as rules by tests/integration/test_authorization_matrix.py; the text is the document's.

ADMIN = "administrator"
READERS = "administrator, watcher, supervisor"
ANYONE = "any signed-in user"
WORKERS = "administrator, agent (of the conversation's team)"
CUSTOMER_WORKERS = "administrator, agent (of a team the customer wrote to)"
STARTERS = "administrator, agent (of a team the channel account serves)"
ASSIGNERS = "administrator, supervisor, agent (of the conversation's team)"
OWNER = "the agent the conversation is assigned to"
PUBLIC = "public"
# Who am I, my profile, my password and authenticator: a user the service requires MFA of may
# call these before setting it up; every other signed-in route refuses them (403
# mfa_enrolment_required) until they have.
SELF = "any signed-in user, also before setting up a required authenticator"

# Routes outside the API document, each for a reason; any other route must be documented
# (tests/unit/test_routes.py holds every registered route to this).
UNDOCUMENTED_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/health"): "the load balancer's and the deploy's liveness probe",
    ("GET", "/openapi.json"): "the document itself",
    ("GET", "/webhooks/{channel}/{account}"): "providers' subscription handshakes (signed by the provider)",
    ("POST", "/webhooks/{channel}/{account}"): "providers' deliveries (signed by the provider)",
}

_STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.SignatureRejected: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.WindowClosed: 422,
    errors.TooManyRequests: 429,
    errors.ProviderError: 502,
}
_Model = TypeVar("_Model", bound=BaseModel)
View = Callable[..., Response]


@dataclass(frozen=True)
class DocumentedRoute:
    method: str
    path: str
    summary: str
    access: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    query: type[BaseModel] | None


# Every documented route, in registration order: the source of the OpenAPI document.
API_ROUTES: list[DocumentedRoute] = []

# --- the request being handled ------------------------------------------------------------
# Set by ``remember_request``, an HTTP middleware of the app: a blueprint's own
# ``current_request`` follows the app it was registered to last, and the tests (and CDK
# synthesis) may build more than one app from the same blueprints.
_current_request: ContextVar[Request | None] = ContextVar("current_request", default=None)


def remember_request(event: Request, get_response: Callable[[Request], Response]) -> Response:
    token = _current_request.set(event)
    try:
        return get_response(event)
    finally:
        _current_request.reset(token)


def request() -> Request:
    current = _current_request.get()
    if current is None:
        raise RuntimeError("no request: register kit.remember_request as the app's http middleware")
    return current


# --- answers ------------------------------------------------------------------------------


def _status_of(error: errors.DomainError) -> int:
    """The status of the error's class or of its nearest mapped base (NoFreeSeat is a Conflict)."""
    return next((_STATUS_BY_ERROR[cls] for cls in type(error).__mro__ if cls in _STATUS_BY_ERROR), 400)


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    return Response(body={"error": body}, status_code=status, headers={"Content-Type": "application/json"})


def json_answer(model: BaseModel, status: int = 200) -> Response:
    return Response(body=model.model_dump_json(), status_code=status,
                    headers={"Content-Type": "application/json"})


def page_answer(model: type[BaseModel], page: Page[Any]) -> Response:
    """One page of a list as the route's page model: its items and the cursor of the next page."""
    return json_answer(model.model_validate({"items": page.items, "next_cursor": page.next_cursor}))


def no_content() -> Response:
    return Response(body="", status_code=204)


# --- input --------------------------------------------------------------------------------


def parse_body(model: type[_Model]) -> _Model:
    raw = request().raw_body
    try:
        document = json.loads(raw or b"null")
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise errors.InvalidInput(f"body is not valid JSON: {error}", field="body") from error
    if not isinstance(document, dict):
        raise errors.InvalidInput("body must be a JSON object", field="body")
    return model.model_validate(document)


def has_body() -> bool:
    return bool(request().raw_body)


def query_params() -> dict[str, str]:
    return dict(request().query_params or {})


def query_values() -> dict[str, str | list[str]]:
    """The query parameters with a repeated one as the list of its values (a filter of several)."""
    params = request().query_params
    if not params:
        return {}
    return {name: values[0] if len(values) == 1 else values
            for name, values in ((name, params.getlist(name)) for name in params)}


def page_query() -> PageQuery:
    return PageQuery.model_validate(request().query_params or {})


# --- access -------------------------------------------------------------------------------


def _caller() -> Principal:
    current = request()
    user_id = wiring.token_verifier().subject(current.headers.get("authorization"))
    params: Mapping[str, str] = current.query_params or {}
    # The user is read on every request: a role change or a disabling applies to the very next one.
    user = wiring.user_store().get(user_id, consistent=False)
    return principal_for(user, params.get("team"), wiring.team_store().exists)


def _require_reader(principal: Principal) -> None:
    if principal.user.role not in ACCOUNT_WIDE_ROLES:
        raise errors.Forbidden(f"role {principal.user.role.value} may not read this; administrators, watchers "
                               "and supervisors only")


# Labels the caller's role alone decides; the others also need the object (team, owner), which
# the use case reads and checks.
_ROLE_CHECKS: dict[str, Callable[[Principal], None]] = {ADMIN: require_administrator, READERS: _require_reader}


def _authorize(access: str) -> Principal:
    principal = _caller()
    if access != SELF:
        # Imported on the first signed-in call: the webhook intake serves anonymous routes alone
        # and so never loads the service settings' store and the account rules.
        from chalicelib.domain.accounts import require_mfa
        from chalicelib.storage.service_settings import get_service_settings
        require_mfa(get_service_settings(), principal)
    check = _ROLE_CHECKS.get(access)
    if check is not None:
        check(principal)
    return principal


def _error_answer(failure: Exception) -> Response:
    if isinstance(failure, errors.TooManyRequests):
        answer = _error(429, failure.code, failure.message, failure.field)
        answer.headers["Retry-After"] = str(failure.retry_after)
        return answer
    if isinstance(failure, errors.DomainError):
        return _error(_status_of(failure), failure.code, failure.message, failure.field)
    assert isinstance(failure, ValidationError)
    field, problem = first_problem(failure)
    return _error(400, "invalid_input", problem, field)


def _audit(principal: Principal, method: str, path: str, params: Mapping[str, Any], status: int) -> None:
    """One audit line per administrative change: who (user id and email), what (the route and
    its path parameters) and the outcome; the line's timestamp says when."""
    target = {name: value for name, value in params.items() if name != "principal"}
    logger.info("administrative change", extra={
        "audit": True, "actor_id": principal.id, "actor_email": principal.user.email, "method": method,
        "route": path, "target": target, "status": status})


def _guarded(view: View, access: str, change: tuple[str, str] | None = None) -> View:
    """The view behind the access check and the error mapping (Chalice turns an exception into a
    500 inside the view call, before any middleware sees it). ``change`` (method, path) marks an
    administrative change, which is audited once it succeeded."""

    @functools.wraps(view)
    def guarded(**params: Any) -> Response:
        try:
            list_scope = _open_cursor()
            if access != PUBLIC:
                params["principal"] = _authorize(access)
            response = _seal_cursors(view(**params), list_scope)
        except (errors.DomainError, ValidationError) as failure:
            response = _error_answer(failure)
        else:
            if change is not None and response.status_code < 400:
                _audit(params["principal"], *change, params, response.status_code)
        # Answers carry customers' and agents' personal data: no browser or proxy keeps them.
        response.headers = {**(response.headers or {}), "Cache-Control": "no-store",
                            "X-Content-Type-Options": "nosniff"}
        return response

    return guarded


# --- page cursors (core/cursors.py) -------------------------------------------------------
# Cursors in an answer, and the route whose list each one pages (None: the answering route's).
_CURSOR_FIELDS: dict[str, str | None] = {
    "next_cursor": None, "conversations_cursor": "/customers/{customer_id}/conversations"}


def _query_items() -> list[tuple[str, str]]:
    query = request().query_params
    return [] if query is None else [(name, value) for name in query for value in query.getlist(name)]


def _open_cursor() -> str:
    """The list this request reads; its ``cursor``, if any, is replaced by the storage cursor
    sealed inside it, or refused (400)."""
    current = request()
    list_scope = cursors.scope(current.path, current.uri_params, _query_items())
    query = current.query_params
    if query is not None and query.get("cursor"):
        query["cursor"] = cursors.open_sealed(wiring.cursor_key(), list_scope, query["cursor"])
    return list_scope


def _seal_cursors(response: Response, list_scope: str) -> Response:
    body = response.body
    if response.status_code != 200 or not isinstance(body, str) or '_cursor":"' not in body:
        return response
    document = json.loads(body)
    for name, route in _CURSOR_FIELDS.items():
        cursor = document.get(name)
        if not isinstance(cursor, str):
            continue
        field_scope = list_scope
        if route is not None:  # a cursor of the customer's conversation list, in the profile's answer
            field_scope = cursors.scope(route, {"customer_id": document["profile"]["id"]}, _query_items())
        document[name] = cursors.seal(wiring.cursor_key(), field_scope, cursor)
    response.body = json.dumps(document, separators=(",", ":"))
    return response


class RouteBlueprint(QueueBlueprint):
    """A Chalice blueprint whose routes go through the kit: documented ones (in the OpenAPI
    document, with their access) and the few on ``UNDOCUMENTED_ROUTES``."""

    def _register_handler(self, handler_type: str, name: str, user_handler: Any, wrapped_handler: Any,
                          kwargs: dict[str, Any], options: dict[Any, Any] | None = None) -> None:
        # Chalice pops a route's options (its methods among them) out of ``kwargs`` while it
        # registers the route into an app, so the same blueprint registered into a second app in
        # one process (the CDK synthesis packages the app again) would turn every route into a
        # GET. Each registration gets its own copy of the options.
        pristine = copy.deepcopy(kwargs)
        super()._register_handler(handler_type, name, user_handler, wrapped_handler, kwargs, options)
        register_once = self._deferred_registrations.pop()

        def register_with_fresh_options(app: Any, all_options: dict[str, Any]) -> None:
            kwargs.clear()
            kwargs.update(copy.deepcopy(pristine))
            register_once(app, all_options)

        self._deferred_registrations.append(register_with_fresh_options)

    def documented(self, path: str, method: str, summary: str, *, access: str,
                   body: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
                   status: int = 200, query: type[BaseModel] | None = None) -> Callable[[View], View]:
        """A view of an access other than PUBLIC takes ``principal: Principal`` besides its path
        parameters."""

        def register(view: View) -> View:
            API_ROUTES.append(DocumentedRoute(method, path, summary, access, body, response, status, query))
            change = (method, path) if access == ADMIN and method != "GET" else None
            self.route(path, methods=[method])(_guarded(view, access, change))
            return view

        return register

    def undocumented(self, path: str, method: str, **options: Any) -> Callable[[View], View]:
        """A public route left out of the API document, for the reason ``UNDOCUMENTED_ROUTES`` gives."""
        if (method, path) not in UNDOCUMENTED_ROUTES:
            raise ValueError(f"{method} {path} is not on UNDOCUMENTED_ROUTES: document it instead")

        def register(view: View) -> View:
            self.route(path, methods=[method], **options)(_guarded(view, PUBLIC))
            return view

        return register
