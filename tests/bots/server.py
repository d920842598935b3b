"""A werkzeug server on 127.0.0.1:<free port> in a daemon thread, for the fake chat platforms."""
from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class _RawHeaders(WSGIRequestHandler):
    """Werkzeug drops headers with underscores (Zalo's `access_token`, `secret_key`); keep them all raw."""

    def make_environ(self):
        environ = super().make_environ()
        environ["fake.raw_headers"] = {k.lower(): v for k, v in self.headers.items()}
        return environ


def raw_header(request, name: str) -> str | None:
    return request.environ.get("fake.raw_headers", {}).get(name.lower())


class ThreadedServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_RawHeaders)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="fake-platform")

    def start(self) -> "ThreadedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class FakePlatform:
    """What every fake platform shares: its server's life cycle and address. Subclasses define `_app()`."""

    def _serve(self) -> None:
        self.server = ThreadedServer(self._app())

    def start(self):
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url
