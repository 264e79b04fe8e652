"""The transport: Chalice blueprints (routes, WebSocket handlers, queue workers) registered by the thin
app in ``functions/app.py``. The only code that knows HTTP, Chalice or Lambda event shapes."""
