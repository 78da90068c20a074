"""Serving a sandbox app: in process as an httpx transport, or as a real server on loopback."""

from __future__ import annotations

import contextlib
import http.server
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import httpx

from socketlab.sandbox._faults import ConnectionDropped, ReadTimedOut
from socketlab.sandbox._socket import Reply

__all__ = ["App", "serve", "serving", "transport"]


class App(Protocol):
    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"") -> Reply: ...


def transport(app: App) -> httpx.MockTransport:
    """An in-process httpx transport answering from ``app``.

    A MockTransport on purpose: vcrpy (>= 7) intercepts it, so cassettes recorded from the
    in-process sandbox carry whatever base URL the client used, the real API's included.
    """

    def handler(request: httpx.Request) -> httpx.Response:
        content = request.read()
        try:
            target = request.url.raw_path.decode("ascii")
            # a body only where there is one: apps whose endpoints take none may not accept it
            reply = app.handle(request.method, target, request.headers, *((content,) if content else ()))
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except ReadTimedOut:
            raise httpx.ReadTimeout("The read operation timed out", request=request) from None
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)

    return httpx.MockTransport(handler)


def serve(
    app: App, host: str = "127.0.0.1", port: int = 0, timeout_after: float = 2.0, latency: float = 0.0
) -> http.server.ThreadingHTTPServer:
    """A threading HTTP server for ``app`` on loopback (port 0: any free port); not started.

    ``latency`` seconds are added to every answer (a far-away API, for benchmarks). A fault
    'reset' drops the connection; a 'timeout' holds it ``timeout_after`` seconds first.
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            content = self.rfile.read(length) if length else b""
            if latency:
                time.sleep(latency)
            try:
                headers = dict(self.headers.items())
                reply = app.handle(self.command, self.path, headers, *((content,) if content else ()))
            except (ConnectionDropped, ReadTimedOut) as fault:
                if isinstance(fault, ReadTimedOut):
                    time.sleep(timeout_after)  # longer than the client waits
                self.close_connection = True  # drop it: no status line, no body
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":  # a HEAD answer has the headers of a GET and no body
                self.wfile.write(reply.body)

        def __getattr__(self, name: str) -> Any:
            # every method (GET, POST, TRACE, QUERY, ...) goes to the app, which answers 405 to
            # the ones the API does not have; http.server would say 501, a server error
            if name.startswith("do_"):
                return self._answer
            raise AttributeError(name)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet; the access log would be noise in notebooks and tests

    server = _Server((host, port), Handler)
    server.daemon_threads = True
    return server


class _Server(http.server.ThreadingHTTPServer):
    """A client that goes away mid-answer (Ctrl-C, a timeout) is no error of the sandbox's."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(app: App, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` on loopback in a background thread; yields its root URL (no path)."""
    server = serve(app, host, port)
    thread = threading.Thread(target=server.serve_forever, name="socketlab-sandbox", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
