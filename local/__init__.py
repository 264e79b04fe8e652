"""The local runtime: the whole system on this machine, on moto, with no AWS account.

The shared package is imported as ``chalicelib``, the name Lambda gives it, so ``functions/``
(where the ``chalicelib`` symlink lives) goes on the import path here, once.
"""

import sys
from pathlib import Path

_FUNCTIONS = str(Path(__file__).resolve().parent.parent / "functions")
if _FUNCTIONS not in sys.path:
    sys.path.insert(0, _FUNCTIONS)
