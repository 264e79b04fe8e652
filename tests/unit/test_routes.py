"""Every route the app registers is either documented (in the OpenAPI document, with its access)
or on the kit's explicit list of undocumented public routes; and the kit, not the view, resolves
the caller."""

import inspect
import re
from typing import Any

import pytest
from chalicelib.api.kit import API_ROUTES, PUBLIC, UNDOCUMENTED_ROUTES, RouteBlueprint

from local.runtime import api_function_app, load_functions_app


def registered_routes() -> set[tuple[str, str]]:
    app = load_functions_app().app
    return {(method, path) for path, entries in app.routes.items() for method in entries}


def webhook_routes() -> set[tuple[str, str]]:
    """The routes of the webhook intake's own app (the webhooks' HTTP API in AWS)."""
    load_functions_app()
    from chalicelib.api.webhook_intake import intake_app
    return {(method, path) for path, entries in intake_app().routes.items() for method in entries}


def test_every_registered_route_is_documented_or_on_the_public_list():
    # Given the routes the functions app and the webhook intake's app register
    registered = registered_routes() | webhook_routes()
    documented = {(route.method, route.path) for route in API_ROUTES}
    # Then each is documented or listed, and the list names only routes that exist
    assert registered - documented - set(UNDOCUMENTED_ROUTES) == set()
    assert set(UNDOCUMENTED_ROUTES) <= registered
    assert not documented & set(UNDOCUMENTED_ROUTES)
    assert len(documented) == len(API_ROUTES), "a route is documented twice"


def test_the_webhook_routes_are_the_intakes_alone_and_not_on_the_rest_api():
    # Given the agents' REST API (the functions app Chalice packages) and the intake's app
    rest_api, intake = registered_routes(), webhook_routes()
    # Then the webhooks are only the intake's (their HTTP API), and the intake serves nothing else
    assert intake == {("GET", "/webhooks/{channel}/{account}"), ("POST", "/webhooks/{channel}/{account}")}
    assert not {path for _, path in rest_api if path.startswith("/webhooks/")}


def test_every_view_that_needs_a_caller_receives_it_from_the_kit():
    # Given every documented view of the app
    app = load_functions_app().app
    for path, entries in app.routes.items():
        for method, entry in entries.items():
            view = inspect.unwrap(entry.view_function)
            parameters = inspect.signature(view).parameters
            access = next((r.access for r in API_ROUTES if (r.method, r.path) == (method, path)), PUBLIC)
            # Then a route that needs a caller takes the principal, and a public one does not
            assert ("principal" in parameters) == (access != PUBLIC), f"{method} {path}"
            # and no view resolves the caller itself
            assert not re.search(r"\b(_principal|_caller|principal_for)\(", inspect.getsource(view)), f"{method} {path}"


def test_a_route_neither_documented_nor_listed_cannot_be_registered():
    blueprint = RouteBlueprint("tests.unit.test_routes")
    with pytest.raises(ValueError, match="UNDOCUMENTED_ROUTES"):
        blueprint.undocumented("/debug", "GET")


def test_the_blueprints_register_the_same_routes_into_a_second_app():
    # Given the functions app, registered once at import
    first = registered_routes()
    # When its blueprints are registered into another app in the same process (as the CDK
    # synthesis does when it packages the app again)
    from chalice import Chalice
    from chalicelib.api import inbox, public, teams
    again = Chalice(app_name="again")
    for area in (public, inbox, teams):
        again.register_blueprint(area.blueprint)
    # Then every route keeps its own methods (Chalice pops them while registering)
    second = {(method, path) for path, entries in again.routes.items() for method in entries}
    assert second
    assert second <= first
    assert ("POST", "/auth/session") in second
    assert ("DELETE", "/auth/session") in second


def test_workers_poll_the_queues_of_the_installation_they_are_registered_for(monkeypatch):
    # Given the workers' module, imported under whatever app name this process started with
    from chalice import Chalice
    from chalicelib.api import workers
    from chalicelib.core import resources
    # When its blueprint registers into an app packaged for another installation
    monkeypatch.setenv(resources.ENV_APP_NAME, "elsewhere")
    app = Chalice(app_name="elsewhere")
    app.register_blueprint(workers.blueprint)
    # Then each worker polls that installation's queue
    queues = {config.name: config.queue for config in app.event_sources}
    assert queues["route_inbound"] == resources.INBOUND_QUEUE.physical_name("elsewhere")
    assert queues["copy_media"] == resources.MEDIA_QUEUE.physical_name("elsewhere")


def _routes(app: Any) -> set[tuple[str, str]]:
    return {(method, path) for path, entries in app.routes.items() for method in entries}


def test_the_api_function_serves_every_route_of_the_rest_api_and_registers_no_other_function():
    # Given the app Chalice packages (the REST API it generates, every function) and the app the API
    # function's handler names (resources.API_FUNCTION_HANDLER, what Lambda and the local runtime run)
    packaged, api = load_functions_app().app, api_function_app()
    # Then the function serves exactly the REST API's routes, with the same WebSocket handlers beside them
    assert api is not packaged
    assert _routes(api) == _routes(packaged)
    assert api.websocket_handlers.keys() == packaged.websocket_handlers.keys()
    # and declares no worker, intake or other function (those have handler modules of their own)
    assert api.event_sources == []
    assert api.pure_lambda_functions == []
    assert {source.name for source in packaged.event_sources}
