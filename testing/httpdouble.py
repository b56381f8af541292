"""The HTTP server every test double listens with (the OpenMetadata double, the fault proxy,
the odd servers of single tests).

A double serves clients that hang up on it on purpose (timeouts, Ctrl-C, faults the tests
inject), and the standard server prints a traceback to stderr for each: from a background
thread, into whatever test is capturing stderr at that moment (a ``CliRunner`` that asserts
"no traceback" sees one that is not its own). A hung-up connection is the client's doing and
is not printed; any other error in a handler still is, since that is a bug in the double.
"""

from __future__ import annotations

import ssl
import sys
from http.server import ThreadingHTTPServer
from typing import Any


class DoubleServer(ThreadingHTTPServer):
    """A threading HTTP server on daemon threads, with room for many clients at once, silent
    about clients that hang up."""

    daemon_threads = True
    #: Room for many clients connecting at once (the default, 5, makes the sixth wait 1 s).
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)
