"""The protocol rules pygls 2 leaves out: every request gets an answer, nothing is kept.

* A request whose parameters do not fit its method's type is answered ``-32602``
  (InvalidParams); pygls logs it and answers nothing, so the editor waits for ever.
* Before ``initialize``, a request is answered ``-32002`` (ServerNotInitialized) and a
  notification dropped, as LSP says; after ``shutdown``, a request is answered ``-32600``
  (InvalidRequest).
* pygls keeps the future of every notification its own handlers pass on (``didOpen``,
  ``didChange``, ``didClose``, ...) in its table of running requests and never takes it out:
  about 4 kB for each document opened and closed. Finished ones are dropped after each
  notification.

No answer quotes the message's parameters (a buffer's text never goes back).
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002


class Invalid:
    """A request whose parameters could not be read: its id and method only."""

    jsonrpc = "2.0"

    def __init__(self, msg_id: int | str, method: str) -> None:
        self.id = msg_id
        self.method = method


class OmkitProtocol(LanguageServerProtocol):
    """pygls's LSP protocol with the answers of the module docstring."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcInvalidParams:
            msg_id, method = data.get("id"), data.get("method")
            if isinstance(msg_id, (int, str)) and isinstance(method, str):
                return Invalid(msg_id, method)  # a request: it gets an answer
            raise

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        request = method is not None and msg_id is not None
        if isinstance(message, Invalid):
            self._refuse(msg_id, INVALID_PARAMS, f"invalid parameters for {method}")
            return
        if self._workspace is None and method not in (types.INITIALIZE, types.EXIT):
            if request:
                self._refuse(msg_id, SERVER_NOT_INITIALIZED, "send initialize first")
            return
        if self._shutdown and request:
            self._refuse(msg_id, INVALID_REQUEST, "the server is shutting down")
            return
        super().handle_message(message)
        if method is not None and not request:
            self._forget_finished()

    def _refuse(self, msg_id: Any, code: int, message: str) -> None:
        self._send_response(msg_id, None, types.ResponseError(code=code, message=message))

    def _forget_finished(self) -> None:
        finished = [key for key, future in self._request_futures.items() if future.done()]
        for key in finished:
            del self._request_futures[key]
