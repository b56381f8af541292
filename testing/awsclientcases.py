"""Helpers of the tests of the AWS client modules (``ingest/awsclient.py``, ``awserrors.py``,
``credentialsource.py``): fake static keys, ``AwsCredentials`` built from a few fields, a free
loopback port, and a tiny stdlib server for the answers moto never gives (odd error bodies,
silence)."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from typing import Any

from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

from testing.awsfixtures import REGION
from testing.httpdouble import DoubleServer

KEY_ID = "AKIAOMKITFAKEKEY0001"


SECRET = "omkit-fake-secret-Q7x2L9vB4nK8"


def creds(**fields: str) -> AwsCredentials:
    return AwsCredentials.from_dict({"awsRegion": REGION, **fields})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OddServer:
    """Answers every request with a fixed status, body and headers, or (``silent``) never."""

    def __init__(self) -> None:
        self.status = 500
        self.body = b""
        self.headers: dict[str, str] = {}
        self.silent = False
        odd = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if odd.silent:
                    time.sleep(30)
                    return
                self.send_response(odd.status)
                for name, value in {"Content-Type": "text/html", **odd.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(odd.body)))
                self.end_headers()
                self.wfile.write(odd.body)

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self.httpd = DoubleServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
