"""The local runtime's HTTP servers (web app and API, channel simulator): threaded, with a listen
backlog that holds a burst of connections, and quiet about clients that go away.

``http.server``'s default backlog is 5 connections: a burst of webhooks, or a browser opening
several at once, found the queue full and got a reset. A client that closes its connection
before the answer is written (a closed tab, a timed-out test) is not an error of ours, so it is
logged at debug level, not printed as a traceback.
"""

from __future__ import annotations

import logging
import sys
from http.server import ThreadingHTTPServer
from typing import Any

log = logging.getLogger("local.http")

LISTEN_BACKLOG = 1024
CLIENT_WENT_AWAY = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class LocalHTTPServer(ThreadingHTTPServer):
    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, CLIENT_WENT_AWAY):
            log.debug("client %s went away: %s", client_address, error)
            return
        super().handle_error(request, client_address)
