"""HTTP transport: a threading HTTP server that hands each request to the dispatcher."""

import logging
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.emulator.incoming import IncomingRequest

LOGGER = logging.getLogger("kvstore_emulator")


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Threading server that serves IPv4 or IPv6 and carries the dispatcher."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, dispatcher):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.dispatcher = dispatcher
        super().__init__((host, port), RequestHandler)

    @property
    def url(self):
        """Return the base URL clients use, such as ``http://127.0.0.1:8080``."""
        host, port = self.server_address[:2]
        host_text = f"[{host}]" if ":" in host else host
        return f"http://{host_text}:{port}"


class RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, gets its outcome from the dispatcher, writes or drops it."""

    server_version = "Tengine"
    sys_version = ""

    def do_GET(self):  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        """Serve an RPC call sent with GET."""
        self._serve()

    def do_POST(self):  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        """Serve an RPC call sent with POST."""
        self._serve()

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = IncomingRequest(self.command, self.path, self.headers.items(), body)
        outcome = self.server.dispatcher.handle(request)
        if outcome.drop:
            self._drop_connection()
            return

        try:
            self._send(outcome)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first, for example after a read timeout.
            LOGGER.info(
                "client closed the connection before the response to %s", request.action
            )

    def _send(self, outcome):
        self.send_response(outcome.status)
        self.send_header("Content-Type", outcome.content_type)
        self.send_header("Content-Length", str(len(outcome.body)))
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(outcome.body)

    def _drop_connection(self):
        """Close the connection without a status line, so the client sees it dropped."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            LOGGER.debug("connection was already closed by the client")

    def log_message(self, format, *args):  # noqa: A002 (signature fixed by BaseHTTPRequestHandler)
        """Send the access log to the debug level instead of stderr."""
        LOGGER.debug("%s %s", self.address_string(), format % args)
