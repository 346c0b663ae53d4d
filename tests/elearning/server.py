"""A live server that a test can stop and start again on the same port (the shared one in
tests/browser.py runs for the whole session).

Stopping closes the connections the browser keeps alive too, so that nothing is served while
the server is "down"; the port is reused on restart.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _TrackingServer(ThreadedWSGIServer):
    """Remembers its open connections so that stopping can cut them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_sockets: set[socket.socket] = set()

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        self.open_sockets.add(conn)
        return conn, address

    def shutdown_request(self, request: Any) -> None:
        self.open_sockets.discard(request)
        super().shutdown_request(request)

    def cut(self) -> None:
        for conn in list(self.open_sockets):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.open_sockets.clear()


class _Thread(LiveServerThread):
    server_class = _TrackingServer

    def _create_server(self, connections_override: Any = None) -> Any:
        return self.server_class(
            (self.host, self.port),
            _QuietHandler,
            allow_reuse_address=True,
            connections_override=connections_override,
        )

    def terminate(self) -> None:
        if hasattr(self, "httpd"):
            self.httpd.shutdown()
            self.httpd.cut()
            self.httpd.server_close()
        self.join()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return int(probe.getsockname()[1])


class StoppableServer:
    def __init__(self, host: str = "localhost") -> None:
        self.host = host
        self.port = free_port()
        self.thread: _Thread | None = None
        self.shared: list[Any] = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        assert self.thread is None, "already running"
        overrides = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        if not self.shared:
            # Shared once for the server's life: request threads may outlive a stop.
            for conn in overrides.values():
                conn.inc_thread_sharing()
            self.shared = list(overrides.values())
        thread = _Thread(
            self.host, StaticFilesHandler, connections_override=overrides, port=self.port
        )
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        self.thread = thread

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.terminate()
            self.thread = None

    def close(self) -> None:
        self.stop()
        time.sleep(0.5)  # let the request threads of cut connections finish
        for conn in self.shared:
            conn.dec_thread_sharing()
        self.shared = []


@pytest.fixture
def stoppable_server(settings: Any) -> Iterator[StoppableServer]:
    """A live server on a fixed port for this test; ``stop()`` and ``start()`` it at will."""
    plain_http = override_settings(
        ALLOWED_HOSTS=["localhost", "127.0.0.1"],
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        WHITENOISE_USE_FINDERS=True,
    )
    plain_http.enable()
    server = StoppableServer()
    server.start()
    yield server
    server.close()
    plain_http.disable()
