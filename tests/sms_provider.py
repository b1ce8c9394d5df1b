"""An SMS provider on a local port, for the tests of the HTTP backend: it records each request
it receives and answers with `answer["status"]` (and `answer["headers"]`)."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

TOKEN = "sms-token-wumeng"


@contextmanager
def local_provider(settings):
    """Run the provider and point `settings` (pytest-django's fixture) at it."""
    received, answer = [], {"status": 200, "headers": {}}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(SimpleNamespace(path=self.path, headers=self.headers, body=json.loads(body)))
            reply = b'{"ok": true}' if answer["status"] < 300 else b'{"error": "quota exceeded"}'
            self.send_response(answer["status"])
            for name, value in answer["headers"].items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SMS_BACKEND = "shop.core.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"{base}/v1/messages"
    settings.SMS_HTTP_TOKEN = TOKEN
    settings.SMS_SIGN_NAME = "乌蒙优选"
    try:
        yield SimpleNamespace(received=received, answer=answer, base=base)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
