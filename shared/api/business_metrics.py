"""Business figures as CloudWatch metrics (Powertools Metrics, embedded metric format).

Each figure is one EMF line in the function's log, which CloudWatch turns into a metric of the
namespace the stack sets (``POWERTOOLS_METRICS_NAMESPACE``) with the given dimensions; no
CloudWatch API call, no flush step. The queue workers report what they did (shared/api/workers.py).
"""

from __future__ import annotations

from chalicelib.adapters.metrics import DEFAULT_NAMESPACE, SEND_FAILURES, count

__all__ = ["CONVERSATIONS_PURGED", "DEFAULT_NAMESPACE", "ITEMS_PURGED", "MESSAGES_IN", "SENDS", "SEND_FAILURES",
           "STATUS_UPDATES_IN", "count"]

MESSAGES_IN = "MessagesIn"
STATUS_UPDATES_IN = "StatusUpdatesIn"
SENDS = "Sends"
CONVERSATIONS_PURGED = "ConversationsPurged"
ITEMS_PURGED = "ItemsPurged"
