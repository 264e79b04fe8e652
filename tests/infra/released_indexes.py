"""The global secondary indexes of the last release, against which a deploy is checked
(``test_storage.py``): CloudFormation adds or deletes one index of a table per stack update, and
changes none in place, so a release that changes more fails its ``cdk deploy`` on every installation
of the one before. After a release is cut, record its indexes:

    python -m tests.infra.released_indexes
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.core import resources

RELEASED = Path(__file__).with_name("released_indexes.json")


def indexes_of(table: resources.TableDefinition) -> dict[str, Any]:
    """Each index's keys and projection, as the table's CloudFormation resource has them."""
    return {index.name: {"KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"},
                                       {"AttributeName": index.sort_key, "KeyType": "RANGE"}],
                         "Projection": index.projection()}
            for index in table.indexes}


def released() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RELEASED.read_text())
    return loaded


if __name__ == "__main__":
    RELEASED.write_text(json.dumps(indexes_of(resources.TABLE), indent=2, sort_keys=True) + "\n")
