"""The transport: Chalice blueprints for the agent and administration API, the providers'
webhooks and the queue workers. The only package that knows HTTP, Chalice or Lambda event
shapes; every handler parses its input, calls one use case from ``wiring`` and shapes the answer.

``kit.py`` holds what every route shares (the access check, the error mapping, body and query
parsing); ``openapi.py`` builds the API's document from the routes the kit registered.
"""

from .cold_start import pause_collector

# First, before the handler's module imports anything: cold_start.py says why.
pause_collector()
