"""Every route the app registers is either documented (in the OpenAPI document, with its access)
or on the kit's explicit list of undocumented public routes; and the kit, not the view, resolves
the caller."""

import inspect
import re

import pytest
from chalicelib.api.kit import API_ROUTES, PUBLIC, UNDOCUMENTED_ROUTES, RouteBlueprint

from local.runtime import load_functions_app


def registered_routes() -> set[tuple[str, str]]:
    app = load_functions_app().app
    return {(method, path) for path, entries in app.routes.items() for method in entries}


def test_every_registered_route_is_documented_or_on_the_public_list():
    # Given the routes the functions app registers
    registered = registered_routes()
    documented = {(route.method, route.path) for route in API_ROUTES}
    # Then each is documented or listed, and the list names only routes that exist
    assert registered - documented - set(UNDOCUMENTED_ROUTES) == set()
    assert set(UNDOCUMENTED_ROUTES) <= registered
    assert not documented & set(UNDOCUMENTED_ROUTES)
    assert len(documented) == len(API_ROUTES), "a route is documented twice"


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
