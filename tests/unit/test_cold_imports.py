"""A function's cold start imports its own handler's dependencies, not the whole app's
(benchmarks/cold_start.py times it; this keeps the boundaries)."""

from __future__ import annotations

import pytest
from chalicelib.core import resources
from chalicelib.domain.models import Channel
from pydantic import BaseModel

from benchmarks.cold_start import FIRST_EVENT_CHANNEL, USE_CASES, cold_start, collector_at_cold_start
from local.runtime import load_functions_app

pytestmark = pytest.mark.unit

WORKERS = "chalicelib.api.workers"
# What only the agents' API needs: its routes, the route kit, the JWT stack, the export libraries.
API_ONLY = ("chalicelib.api.kit", "chalicelib.api.inbox", "chalicelib.api.customers", "jwt", "openpyxl", "fpdf",
            "chalicelib.api.schemas.admin_inputs")
# Each provider's adapter module: a function loads the one of the channel it handles, if any.
ADAPTERS = ("chalicelib.channels.meta.whatsapp", "chalicelib.channels.meta.messenger",
            "chalicelib.channels.meta.instagram", "chalicelib.channels.telegram", "chalicelib.channels.twilio_sms",
            "chalicelib.channels.viber", "chalicelib.channels.ses", "chalicelib.channels.api_channel")
WHATSAPP = "chalicelib.channels.meta.whatsapp"
# What only the queue workers use: Powertools' batch utility, and its parser's event models.
WORKER_ONLY = ("aws_lambda_powertools.utilities.batch", "aws_lambda_powertools.utilities.parser")


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


def test_the_status_worker_loads_the_delivery_statuses_store_alone() -> None:
    # Given the status worker's use case built (a receipt's cold start)
    _, modules = cold_start(WORKERS, USE_CASES["apply_statuses"])
    # Then neither routing nor the thread's, the lists' or the customers' stores were loaded, nor the
    # consent recorder (built on the first opt-out status)
    assert _loaded(modules, (*API_ONLY, "chalicelib.domain.routing", "chalicelib.storage.conversations",
                             "chalicelib.storage.messages", "chalicelib.storage.customers",
                             "chalicelib.domain.consent_recorder", "chalicelib.channels")) == []
    assert "chalicelib.storage.delivery_statuses" in modules


def test_workers_that_never_list_conversations_load_neither_the_search_nor_the_lists() -> None:
    # Given the send, out-of-office and assignment workers' use cases built (a text reply's send)
    for function in ("send_outbound", "send_out_of_office", "assign_conversation"):
        _, modules = cold_start(WORKERS, USE_CASES[function])
        # Then the inbox's search criteria, the lists' merging and the inbox use case stay out
        assert _loaded(modules, ("chalicelib.domain.search", "chalicelib.storage.listing",
                                 "chalicelib.domain.inbox")) == [], function
        assert "chalicelib.storage.conversations" in modules, function  # the store itself was loaded
    # and a send loads the media store with its first attachment, not before
    _, modules = cold_start(WORKERS, USE_CASES["send_outbound"])
    assert "chalicelib.adapters.media" not in modules


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


def test_a_send_loads_the_adapter_of_its_channel_only() -> None:
    # Given the send worker, its use case built and a WhatsApp message's adapter asked for
    _, modules = cold_start(WORKERS, USE_CASES["send_outbound"], channel=FIRST_EVENT_CHANNEL)
    # Then WhatsApp's adapter is loaded and no other provider's (nor SNS's crypto, the email channel's)
    assert _loaded(modules, ADAPTERS) == [WHATSAPP]
    assert _loaded(modules, ("cryptography", *API_ONLY)) == []


def test_workers_that_call_no_provider_load_no_adapter() -> None:
    # The media store and the HTTP client live beside the adapters; importing them loads no adapter
    for function in ("build_export", "deliver_events", "copy_media"):
        _, modules = cold_start(WORKERS, USE_CASES[function])
        assert _loaded(modules, ADAPTERS) == [], function
        assert "chalicelib.channels.http" in modules, function  # the package itself was imported


def test_the_push_worker_loads_neither_the_route_kit_nor_the_websocket_handlers() -> None:
    # Given the push worker's own handler module (not the WebSocket handlers' push.py)
    _, modules = cold_start("chalicelib.api.push_worker", USE_CASES["push_notices"])
    # Then the route kit, its schemas and the connection handlers stay out
    assert _loaded(modules, (*API_ONLY, "chalicelib.api.push", "chalicelib.domain.accounts")) == []
    assert "chalicelib.domain.push" in modules


def test_the_webhook_intake_loads_neither_the_account_rules_nor_other_providers() -> None:
    # Given a WhatsApp webhook's cold start: the intake's handler, its use case and WhatsApp's adapter
    _, modules = cold_start("chalicelib.api.webhook_intake", USE_CASES["webhook_intake"], channel=FIRST_EVENT_CHANNEL)
    # Then the signed-in callers' checks (MFA, service settings' store) and the other adapters stay out
    assert _loaded(modules, ("chalicelib.domain.accounts", "chalicelib.storage.service_settings",
                             "chalicelib.api.schemas.admin_inputs")) == []
    assert _loaded(modules, ADAPTERS) == [WHATSAPP]


def test_the_event_and_media_workers_load_neither_the_send_nor_the_phone_numbers() -> None:
    # The retry backoff they share with sends lives apart from the outbound dispatcher, and the
    # phone number library loads with SMS media only
    _, modules = cold_start(WORKERS, USE_CASES["deliver_events"])
    assert _loaded(modules, ("chalicelib.domain.outbound", "phonenumbers", *ADAPTERS)) == []
    assert "chalicelib.domain.event_delivery" in modules
    _, modules = cold_start(WORKERS, USE_CASES["copy_media"], channel=FIRST_EVENT_CHANNEL)
    assert _loaded(modules, ("chalicelib.domain.outbound", "phonenumbers")) == []
    assert "chalicelib.domain.media_copy" in modules


def test_the_api_loads_no_worker_use_case_and_no_export_library() -> None:
    # Given the API function's handler module (its own, not functions/app.py) and its first request's use cases
    _, modules = cold_start(resources.API_FUNCTION_MODULE, USE_CASES["api_handler"], function="api_handler")
    # Then no other function's handler module is imported (the queue workers', the push worker's, the
    # webhook intake's and its routes), nor what only workers use: Powertools' batch utility and parser
    assert _loaded(modules, (WORKERS, "chalicelib.api.push_worker", "chalicelib.api.webhook_intake",
                             "chalicelib.api.webhooks", *WORKER_ONLY)) == []
    # and the routing, sending and media copying use cases (the workers'), the channel adapters,
    # the export libraries and the phone number library (a list reads no number) stay out; the
    # routes are all registered
    assert _loaded(modules, ("chalicelib.domain.routing", "chalicelib.domain.follow_ups", "chalicelib.domain.outbound",
                             "chalicelib.domain.media_copy", "openpyxl", "fpdf", "phonenumbers", *ADAPTERS)) == []
    # nor the exporter and its transcript (the export worker's; the API's schemas take the job's models only)
    assert _loaded(modules, ("chalicelib.domain.export", "chalicelib.domain.transcript")) == []
    assert _loaded(modules, ("chalicelib.api.inbox", "chalicelib.api.push", "chalicelib.api.openapi")) == [
        "chalicelib.api.inbox", "chalicelib.api.push", "chalicelib.api.openapi"]


def _subclasses(model: type[BaseModel]) -> list[type[BaseModel]]:
    return [model, *(sub for direct in model.__subclasses__() for sub in _subclasses(direct))]


def test_every_model_of_ours_is_built_when_first_used() -> None:
    # Given every module of the app with models: its routes, workers and schemas, and each channel's adapter
    load_functions_app()
    from chalicelib.channels import adapter_for
    for channel in Channel:
        adapter_for(channel)
    ours = [model for model in _subclasses(BaseModel) if model.__module__.startswith("chalicelib.")]
    # Then each defers its validator and serializer to its first use (core/model_base.py): a cold start
    # does not build the models of the routes, queues and channels its first event does not touch
    assert len(ours) > 200
    assert [model.__qualname__ for model in ours if not model.model_config.get("defer_build")] == []
    # and each builds when it is used: its fields' types resolve where it is defined (a name a model
    # takes from later in its module, or only under TYPE_CHECKING, would fail its first request)
    for model in ours:
        assert model.model_json_schema(), model.__qualname__
        assert model.__pydantic_complete__, model.__qualname__


def test_only_the_websocket_opening_loads_the_token_verifier() -> None:
    # Given the WebSocket functions' handler module and each one's first event's use cases
    for function in ("push_message", "push_disconnect"):
        _, modules = cold_start("chalicelib.api.push", USE_CASES[function])
        # Then a heartbeat or a close, which verify no token, load no JWT stack
        assert "jwt" not in modules, function
        assert "chalicelib.domain.push" in modules, function  # the use case was built
    # and the opening, which verifies the tab's token, does
    _, modules = cold_start("chalicelib.api.push", USE_CASES["push_connect"])
    assert "jwt" in modules


def test_a_cold_start_runs_no_collector_pass_until_the_handler_module_is_loaded() -> None:
    # Given Lambda importing the queue workers' handler module (api/cold_start.py)
    seen = collector_at_cold_start(WORKERS, f"{WORKERS}.route_inbound")
    # Then the collector made no pass during the import, and runs again after it with the
    # import's objects frozen (out of every later pass)
    assert seen["passes"] == 0
    assert seen["enabled"] is True
    assert seen["frozen"] > 10_000


def test_a_handler_named_as_a_path_is_found_too() -> None:
    # Given Lambda's Python runtime, which also takes a handler as a path (package/module.function)
    seen = collector_at_cold_start(WORKERS, "chalicelib/api/workers.route_inbound")
    assert (seen["passes"], seen["enabled"], seen["frozen"] > 10_000) == (0, True, True)


def test_outside_lambda_the_collector_is_left_alone() -> None:
    # Given the same import without Lambda's _HANDLER (the local runtime, tests)
    seen = collector_at_cold_start(WORKERS, None)
    # Then the collector ran its passes as usual (which the test above would have seen) and froze nothing
    assert seen["passes"] > 10
    assert seen["enabled"] is True
    assert seen["frozen"] == 0


def test_a_module_imported_by_the_handler_module_does_not_end_the_pause() -> None:
    # Given the API's handler module, which imports push.py, the WebSocket functions' handler module
    seen = collector_at_cold_start("chalicelib.api.api_handler", resources.API_FUNCTION_HANDLER)
    # Then push.py's own last line did not restart the collector before the API's modules were loaded
    assert seen["passes"] == 0
    assert seen["enabled"] is True
