"""A function's cold start imports its own handler's dependencies, not the whole app's
(benchmarks/cold_start.py times it; this keeps the boundaries)."""

from __future__ import annotations

import pytest

from benchmarks.cold_start import USE_CASES, cold_start

pytestmark = pytest.mark.unit

WORKERS = "chalicelib.api.workers"
# What only the agents' API needs: its routes, the route kit, the JWT stack, the export libraries.
API_ONLY = ("chalicelib.api.kit", "chalicelib.api.inbox", "chalicelib.api.customers", "jwt", "openpyxl", "fpdf")


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in modules]


def test_the_routing_worker_loads_neither_the_routes_nor_the_jwt_stack() -> None:
    # Given the routing worker's handler module and the use case its first record asks for
    # When a fresh interpreter imports and builds them
    _, modules = cold_start(WORKERS, USE_CASES["route_inbound"])
    # Then nothing only the API needs was imported, and no channel adapter either (routing reads normalised events)
    assert _loaded(modules, API_ONLY) == []
    assert "chalicelib.channels" not in modules
    # nor every event model of Powertools' parser (the batch utility imports them when pydantic came first)
    assert "aws_lambda_powertools.utilities.parser.models" not in modules
    assert "chalicelib.domain.routing" in modules  # the use case was built (the check can fail)


def test_the_assignment_worker_does_not_load_routing() -> None:
    _, modules = cold_start(WORKERS, USE_CASES["assign_conversation"])
    assert _loaded(modules, (*API_ONLY, "chalicelib.domain.routing", "chalicelib.channels")) == []
    assert "chalicelib.domain.assignment" in modules


def test_the_export_worker_loads_neither_the_routes_nor_the_jwt_stack() -> None:
    _, modules = cold_start(WORKERS, USE_CASES["build_export"])
    assert _loaded(modules, ("chalicelib.api.kit", "chalicelib.api.inbox", "chalicelib.api.customers", "jwt")) == []
    assert "chalicelib.domain.export_jobs" in modules


def test_the_webhook_intake_loads_the_webhook_routes_only() -> None:
    # Given the webhook intake's handler module (not functions/app.py)
    _, modules = cold_start("chalicelib.api.webhook_intake", USE_CASES["webhook_intake"])
    # Then the agents' routes, the JWT stack and the export libraries stay out
    assert _loaded(modules, ("chalicelib.api.inbox", "chalicelib.api.customers", "chalicelib.api.users", "jwt",
                             "openpyxl", "fpdf", "chalicelib.domain.routing")) == []
    assert "chalicelib.api.webhooks" in modules
