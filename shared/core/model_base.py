"""The base of every pydantic model of ours.

A model's validator and serializer are built when it is first used, not when its module is
imported (``defer_build``): every function is packaged with the whole app and imports the models
of its neighbours' features with the modules it needs (the API registers every route with its
schemas), and building a model costs more than defining it. A function builds the models its own
events validate and answer with; ``tests/unit/test_cold_imports.py`` keeps every model deferred."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
