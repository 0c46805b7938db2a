"""A scripted stand-in for StableQueue's HTTP API on loopback, for offline client tests.

It records every request (method, path, headers, JSON body) and answers from a table
that the test fills: ``routes[(method, path)] = (status, body, headers)``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubStableQueue:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.routes: dict[tuple[str, str], tuple[int, object, dict]] = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                path = self.path.split("?", 1)[0]
                stub.requests.append(
                    {"method": self.command, "path": path, "url": self.path,
                     "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                status, payload, headers = stub.routes.get(
                    (self.command, path), (404, {"error": "not_found", "message": "no such route"}, {})
                )
                if isinstance(payload, (bytes, bytearray)):
                    data, ctype = bytes(payload), headers.get("Content-Type", "application/octet-stream")
                elif isinstance(payload, str):
                    data, ctype = payload.encode(), "text/plain"
                else:
                    data, ctype = json.dumps(payload).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    if key != "Content-Type":
                        self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def route(self, method: str, path: str, status: int = 200, body: object = None, headers: dict | None = None):
        self.routes[(method, path)] = (status, body if body is not None else {}, headers or {})


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (the port is freed right away)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
