"""moto's Step Functions interpreter logs at ERROR every JSONPath that finds nothing, also where
finding nothing is the expected answer: a Choice's ``IsPresent`` test, such as the auto-deletion
sweep's "is there a next page" on each shard's last page (eight ERROR lines an hour in a quiet
local runtime, which read as a fault). AWS logs no such thing. A path that finds nothing where a
value is needed fails the execution, which shows in its status and its error, so these lines add
nothing; the local runtime leaves them out. Any other error of the interpreter is still logged."""

from __future__ import annotations

import logging

# The logger of moto's state evaluation (moto.stepfunctions.parser.asl.component.eval_component).
INTERPRETER_LOGGER = "moto.stepfunctions.parser.asl.component.eval_component"
_PATH_FOUND_NOTHING = "Exception=NoSuchJsonPathError"


def _not_a_path_miss(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith(_PATH_FOUND_NOTHING)


def quiet_path_misses() -> None:
    """Leave moto's lines about JSONPaths that found nothing out of the log (once per process)."""
    logger = logging.getLogger(INTERPRETER_LOGGER)
    if _not_a_path_miss not in logger.filters:
        logger.addFilter(_not_a_path_miss)
