"""The API's request and answer bodies (and query parameters) as pydantic models: HTTP shapes,
which the OpenAPI document is built from. The domain's own models (``domain/models.py`` and its
siblings) are what the use cases take and return; these wrap, page or narrow them for HTTP."""
