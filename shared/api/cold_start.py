"""A Lambda function's cold start without the cycle collector's passes.

Lambda imports the module its handler names once per execution environment, and what that import
builds (about 100,000 objects for a worker: modules, classes, botocore's and pydantic's tables) is
kept for the environment's life. Meanwhile Python's cycle collector runs a pass every 700 new
objects, and each pass walks what the import has built so far: about 160 passes, one of them over
every object, a tenth of a worker's cold start (docs/benchmarks.md, "The collector at cold start").
So, as the gc module's documentation advises for a process that keeps what it builds at startup,
the collector is paused from the first import of this package (``chalicelib.api``, the package of
every handler module) until the handler's module is loaded. Then the objects the import made are
frozen (no later pass walks them again; of a worker's 100,000, about 700 are cyclic leftovers of
the import, not worth a full pass) and the collector runs again.

Lambda's ``_HANDLER`` (``<module>.<function>``) names the handler's module. Elsewhere (the local
runtime, tests, ``chalice package``) it is not set and nothing here changes the collector. Every
handler module calls ``loaded(__name__)`` as its last line; ``tests/infra/test_functions.py``
imports each function's handler as Lambda does and checks that the collector runs after it.
"""

from __future__ import annotations

import gc
import os

# The module of the function's handler: Lambda's own variable, set before it imports the handler
# (which Lambda's Python runtime also accepts as a path, ``package/module.function``).
HANDLER_MODULE = os.environ.get("_HANDLER", "").rpartition(".")[0].replace("/", ".")


def pause_collector() -> None:
    """In a Lambda function, no collector pass until its handler's module is loaded."""
    if HANDLER_MODULE:
        gc.disable()


def loaded(module: str) -> None:
    """``module`` has been imported: if it is the handler's module, keep what the import built out of
    every later collector pass and let the collector run again."""
    if module == HANDLER_MODULE and not gc.isenabled():
        gc.freeze()
        gc.enable()
