"""Edges between ragas and the tutor: our MiniLM as ragas embeddings, our endpoint as its LLM,
and a tally of the per-sample failures ragas otherwise only logs.

Import this module only where ragas is used (it imports ragas at the top); never let ragas pick
its defaults, which reach for OpenAI's hosted models.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import warnings
from types import TracebackType
from typing import Any

from ragas.embeddings.base import BaseRagasEmbeddings
from ragas.llms.base import LangchainLLMWrapper
from ragas.run_config import RunConfig

from tutor.core.settings import Settings
from tutor.embedding.embedder import Embedder

CALLS_PER_JOB = 4  # LLM calls one metric makes for one sample, roughly (relevancy makes 3)


class MiniLMEmbeddings(BaseRagasEmbeddings):
    """The packaged MiniLM (our `Embedder`) behind ragas' embeddings interface."""

    def __init__(self, embedder: Embedder, run_config: RunConfig | None = None) -> None:
        super().__init__()
        self._embedder = embedder
        self.set_run_config(run_config or RunConfig())

    def embed_query(self, text: str) -> list[float]:
        return self._embedder.embed_query(text).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_batch(list(texts)).tolist()

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)


def run_config_for(settings: Settings, workers: int = 2) -> RunConfig:
    """Our bounds instead of ragas' (180 s, ten retries, 16 workers): a metric job may make a
    few LLM calls, each within the endpoint timeout."""
    return RunConfig(timeout=math.ceil(settings.llm_timeout * CALLS_PER_JOB),
                     max_retries=settings.llm_retries, max_wait=4, max_workers=workers)


def model_name(settings: Settings) -> str:
    """The configured model, else the first one the endpoint lists."""
    if settings.llm_model:
        return settings.llm_model
    from tutor.core.errors import LLMError
    from tutor.llm.client import OpenAIChatModel

    url = re.sub(r"//[^/@]*@", "//***@", settings.llm_base_url or "")  # hide user:pass@
    import openai

    try:
        listed = OpenAIChatModel(settings).client.models.list()
    except (openai.OpenAIError, ValueError, TypeError) as exc:  # unreachable, refused, garbled
        raise LLMError(f"cannot list the models of {url} ({type(exc).__name__}): check that "
                       "the endpoint is up, or set TUTOR_LLM_MODEL") from exc
    if not listed.data:
        raise LLMError(f"{url} lists no models: set TUTOR_LLM_MODEL")
    return listed.data[0].id


class EndpointLLM(LangchainLLMWrapper):
    """ragas' LangChain wrapper that keeps our per-call timeout (ragas would set every request's
    timeout to the whole job's)."""

    def __init__(self, chat: Any, run_config: RunConfig, call_timeout: float) -> None:
        self._call_timeout = call_timeout
        self.model: str = chat.model_name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__(chat, run_config=run_config, bypass_n=True)

    def set_run_config(self, run_config: RunConfig) -> None:
        super().set_run_config(run_config)
        chat: Any = self.langchain_llm
        chat.request_timeout = self._call_timeout


def ragas_llm(settings: Settings, run_config: RunConfig) -> EndpointLLM:
    """A ragas LLM over the configured OpenAI-compatible endpoint (langchain's ChatOpenAI).

    The classic `ragas.metrics` objects need a `BaseRagasLLM`, which `llm_factory`'s instructor
    client is not; `n` is bypassed because local servers often return a single choice.
    """
    from langchain_openai import ChatOpenAI

    from tutor.llm.client import LOCAL_API_KEY, OPENAI_URL

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else LOCAL_API_KEY
    options: dict[str, Any] = {
        "model": model_name(settings), "base_url": settings.llm_base_url or OPENAI_URL,
        "api_key": key, "timeout": settings.llm_timeout, "max_retries": settings.llm_retries,
        "temperature": settings.llm_temperature, "max_tokens": settings.llm_max_tokens}
    chat = ChatOpenAI(**options)
    return EndpointLLM(chat, run_config, settings.llm_timeout)


class JobFailures(logging.Handler):
    """Collects the jobs ragas' executor reports as failed (it returns NaN for them).

    Used as a context manager around `ragas.evaluate`; `failures` maps the job index (row *
    number of metrics + metric position) to "ErrorType: message".
    """

    PATTERN = re.compile(r"Exception raised in Job\[(\d+)\]: (\w+)\((.*)\)", re.DOTALL)

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.failures: dict[int, str] = {}
        self._logger = logging.getLogger("ragas.executor")
        self._propagate = True

    def emit(self, record: logging.LogRecord) -> None:
        match = self.PATTERN.match(record.getMessage())
        if match:
            kind, message = match.group(2), match.group(3).strip()
            self.failures[int(match.group(1))] = f"{kind}: {message[:300]}" if message else kind

    def __enter__(self) -> JobFailures:
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False  # counted and reported, not printed mid progress bar
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate
