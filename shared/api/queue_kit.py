"""The queue workers' blueprint, apart from the route kit: a worker's cold start imports this,
not the routes' access rules, schemas and error mapping (shared/api/kit.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint
from chalicelib.core import resources
from chalicelib.core.settings import app_name


class QueueBlueprint(Blueprint):
    """The workers' blueprint. A queue's physical name depends on the installation's app name,
    which is read when the blueprint registers into an app (when ``functions/app.py`` is imported
    under the function's environment), not when this module happened to be imported first: a test
    process imports it long before the CDK synthesis packages the app for another installation."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self.queues: dict[str, resources.QueueDefinition] = {}

    def sqs_worker(self, queue: resources.QueueDefinition, *, name: str) -> Callable[[Any], Any]:
        """``on_sqs_message`` for one of our queues, its physical name read at registration."""
        self.queues[name] = queue
        return self.on_sqs_message(queue=queue.physical_name(app_name()), batch_size=queue.batch_size, name=name,
                                   maximum_batching_window_in_seconds=queue.batching_window_seconds)

    def _register_handler(self, handler_type: str, name: str, user_handler: Any, wrapped_handler: Any,
                          kwargs: dict[str, Any], options: dict[Any, Any] | None = None) -> None:
        super()._register_handler(handler_type, name, user_handler, wrapped_handler, kwargs, options)
        definition = self.queues.get(name)
        if definition is None:
            return
        register_once = self._deferred_registrations.pop()

        def register_for_this_installation(app: Any, all_options: dict[str, Any]) -> None:
            kwargs["queue"] = definition.physical_name(app_name())
            register_once(app, all_options)

        self._deferred_registrations.append(register_for_this_installation)
