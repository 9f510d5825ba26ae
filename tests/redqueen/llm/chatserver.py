"""An OpenAI-compatible chat-completions server on 127.0.0.1 for the tests.

Each POST to /v1/chat/completions is answered by `responder(body, index)`, which returns one of
  ("ok", text)              200 with a chat.completion carrying `text`
  ("status", code)          that HTTP error with an OpenAI-style error body
  ("status", code, message) the same with the server's own message
  ("slow", seconds, text)   sleep, then answer 200 (for client timeouts)
A POST to /v1/embeddings is answered by `embeddings(body, index)` when given (else 404), which
returns ("ok", vector) for the body's one `input`, or a ("status", ...) action as above; those
requests are counted apart, in `embedding_requests`. The server counts chat requests, the most
it ever had in flight at once, and the client connections (address and port) they came on.

With `keep_alive` it speaks HTTP/1.1 and keeps connections open between requests, as hosted
endpoints do (the benchmarks use it); by default each connection serves one request (HTTP/1.0),
so that after `stop()` every later request is refused.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256      # listen backlog: the default 5 drops bursts of new connections


class ChatServer:
    def __init__(self, responder, keep_alive: bool = False, embeddings=None):
        self.responder, self.keep_alive, self.embeddings = responder, keep_alive, embeddings
        self.requests: list[dict] = []
        self.embedding_requests: list[dict] = []
        self.in_flight = self.max_in_flight = 0
        self.connections: set[tuple] = set()
        self._lock = threading.Lock()
        self._stopped = False
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Stop answering and close the port (a server that dies): later connections are refused."""
        if not self._stopped:
            self._stopped = True
            self._httpd.shutdown()
            self._httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if server.keep_alive else "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if self.path.rstrip("/").endswith("/embeddings"):
                    return self._embed(body)
                with server._lock:
                    index = len(server.requests)
                    server.requests.append(body)
                    server.connections.add(self.client_address)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer(server.responder(body, index), body)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _embed(self, body):
                with server._lock:
                    index = len(server.embedding_requests)
                    server.embedding_requests.append(body)
                if server.embeddings is None:
                    return self._answer(("status", 404, "no embeddings here"), body)
                action = server.embeddings(body, index)
                if action[0] != "ok":
                    return self._answer(action, body)
                self._send(200, {"object": "list", "model": body.get("model"),
                                 "data": [{"object": "embedding", "index": 0, "embedding": list(action[1])}],
                                 "usage": {"prompt_tokens": len(body["input"].split()),
                                           "total_tokens": len(body["input"].split())}})

            def _answer(self, action, body):
                if action[0] == "status":
                    message = action[2] if len(action) > 2 else f"scripted {action[1]}"
                    payload = {"error": {"message": message, "type": "test", "code": None}}
                    return self._send(action[1], payload)
                if action[0] == "slow":
                    time.sleep(action[1])
                    action = ("ok", action[2])
                text = action[1]
                self._send(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "test"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 10 * len(body.get("messages", [])),
                              "completion_tokens": len(text.split()),
                              "total_tokens": 10 * len(body.get("messages", [])) + len(text.split())}})

            def _send(self, code, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass          # the client gave up (a timeout test)

        return Handler


def scripted(*actions):
    """A responder that plays `actions` in order, then repeats the last one."""
    def responder(body, index):
        return actions[min(index, len(actions) - 1)]
    return responder
