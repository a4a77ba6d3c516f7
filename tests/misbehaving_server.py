"""A real HTTP server on 127.0.0.1 that impersonates /v1/chat/completions and misbehaves on cue.

Modes (one per request; `script()` queues several, the last one repeats):
  "slow"      waits `delay` seconds before a normal reply (beyond a client's timeout)
  "429"       HTTP 429 rate limited             "500"      HTTP 500 server error
  "400"       HTTP 400 bad request (not transient: never retried)
  "length"    a cut-off reply (finish_reason "length")
  "invalid"   content that is not JSON          "valid"    schema-valid JSON for `VALID_REPLY`
  "payload"   content = json.dumps(payload) (e.g. made-up quotes for grader tests)
  "text"      content = payload as given (a plain string)
"refuse" needs no server at all: `closed_url()` gives a port nothing listens on.
Every request is counted and recorded (path, headers, JSON body) for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.helpers import free_port

MODEL = "misbehaving-model"
MODES = ("slow", "400", "429", "500", "length", "invalid", "valid", "payload", "text")
# What "valid" sends; it satisfies VALID_SCHEMA.
VALID_SCHEMA: dict[str, Any] = {
    "title": "verdict",
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "maxLength": 20},
        "score": {"type": "integer", "minimum": 0, "maximum": 5},
    },
    "required": ["verdict", "score"],
    "additionalProperties": False,
}
VALID_REPLY: dict[str, Any] = {"verdict": "covered", "score": 4}


@dataclass
class Recorded:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class MisbehavingServer:
    """State shared with the handler threads; tests change `mode` and read `requests`."""

    url: str = ""  # base URL ending in /v1
    mode: str = "valid"
    payload: Any = None
    delay: float = 5.0
    queue: deque[str] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, mode: str, payload: Any = None, delay: float | None = None) -> None:
        """Misbehave this way on every following request."""
        self.script(mode, payload=payload, delay=delay)

    def script(self, *modes: str, payload: Any = None, delay: float | None = None) -> None:
        """Answer the next requests with these modes in turn; the last one then repeats."""
        unknown = [m for m in modes if m not in MODES]
        if unknown or not modes:
            raise ValueError(f"unknown modes {unknown}: pick from {', '.join(MODES)}")
        with self.lock:
            self.queue = deque(modes[:-1])
            self.mode = modes[-1]
            self.payload = payload
            self.delay = self.delay if delay is None else delay

    @property
    def count(self) -> int:
        """Chat completion requests received so far."""
        return sum(r.path.endswith("/chat/completions") for r in self.requests)

    def next_mode(self) -> str:
        with self.lock:
            return self.queue.popleft() if self.queue else self.mode


def completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    """An OpenAI chat.completion body carrying `content`."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
    }


def _handler(state: MisbehavingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout): nothing to answer
                pass

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send(
                    200,
                    {
                        "object": "list",
                        "data": [
                            {"id": MODEL, "object": "model", "created": 0, "owned_by": "tests"}
                        ],
                    },
                )
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw or b"{}")
            with state.lock:
                state.requests.append(Recorded(self.path, dict(self.headers.items()), body))
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            self._reply(state.next_mode())

        def _reply(self, mode: str) -> None:
            if mode == "slow":
                state.stop.wait(state.delay)
                self._send(200, completion(json.dumps(VALID_REPLY)))
            elif mode in ("400", "429", "500"):
                message = {"400": "bad request", "429": "rate limited"}.get(mode, "internal error")
                self._send(int(mode), {"error": {"message": message, "type": "server_error"}})
            elif mode == "length":
                self._send(200, completion('{"verdict": "cov', finish_reason="length"))
            elif mode == "invalid":
                self._send(200, completion("Sure! The verdict is: covered, score 4."))
            elif mode == "payload":
                self._send(200, completion(json.dumps(state.payload)))
            elif mode == "text":
                self._send(200, completion(str(state.payload)))
            else:
                self._send(200, completion(json.dumps(VALID_REPLY)))

    return Handler


@contextmanager
def run_misbehaving_server(mode: str = "valid") -> Iterator[MisbehavingServer]:
    """Serve on a free port of 127.0.0.1 in a daemon thread; shut down on exit."""
    state = MisbehavingServer()
    state.set(mode)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()  # release slow handlers
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def closed_url() -> str:
    """A /v1 URL on a port of 127.0.0.1 where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/v1"
