"""The AWS CDK app of the contact inbox: one stack, assembled from one construct per capability.

The Chalice app's ``chalicelib`` package (``functions/chalicelib``, a symlink to ``shared/``) holds
the one description of the table, the queues and the state machines that the stack builds from,
so ``functions/`` is put on ``sys.path`` here, once, for every importer of ``infra``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO_DIR / "functions"

if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.append(str(FUNCTIONS_DIR))
