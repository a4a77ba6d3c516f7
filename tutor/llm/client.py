"""The chat-model contract and its backend for any OpenAI-compatible endpoint.

Every failure of the endpoint becomes one `LLMError` whose message says what to do next;
transient failures are retried here, in one place, within one time budget.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from tutor.core.errors import LLMError
from tutor.core.settings import Settings

if TYPE_CHECKING:
    from openai import OpenAI

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]
T = TypeVar("T")
OPENAI_URL = "https://api.openai.com/v1"
LOCAL_API_KEY = "not-needed"  # local servers ignore the key, the client requires one
MAX_BACKOFF = 4.0


@dataclass(frozen=True)
class ChatReply:
    """One reply: its text, the parsed JSON when a schema was asked for, and why it stopped."""

    text: str
    data: dict[str, Any] | None
    finish_reason: str
    model: str


class ChatModel(Protocol):
    """Anything that completes a chat: the OpenAI-compatible backend, or a scripted fake."""

    @property
    def name(self) -> str: ...

    def complete(
        self,
        messages: Messages,
        schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> ChatReply:
        """Reply to `messages`; with `schema`, `data` holds the JSON object it describes.

        Raises:
            LLMError: the endpoint failed, timed out, or the reply was truncated or malformed.
        """
        ...


def chat_model_for(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None when no LLM endpoint is configured."""
    if not settings.llm_configured:
        return None
    return OpenAIChatModel(settings)


class OpenAIChatModel:
    """Chat completions over the `openai` client (OpenAI, vLLM, llama.cpp, Ollama, ...).

    Args:
        settings: endpoint, model, key, timeout (a budget for the whole call, retries
            included), retries and default max tokens.
        client: an `openai.OpenAI` to use instead of building one lazily.
        backoff: first pause between retries in seconds; it doubles up to 4s.
    """

    def __init__(self, settings: Settings, client: OpenAI | None = None, backoff: float = 0.5):
        self.settings = settings
        self.base_url = (settings.llm_base_url or OPENAI_URL).rstrip("/")
        self._shown_url = re.sub(r"//[^/@]*@", "//***@", self.base_url)  # hide user:pass@
        self._client = client
        self._model = settings.llm_model
        self._backoff = backoff

    @property
    def name(self) -> str:
        return self._model or "default"

    @property
    def client(self) -> OpenAI:
        if self._client is None:
            from openai import OpenAI

            key = self.settings.llm_api_key
            if key is None and self.settings.llm_base_url is None:
                raise LLMError("No API key for the OpenAI API: set TUTOR_LLM_API_KEY")
            self._client = OpenAI(
                base_url=self.base_url,
                api_key=key.get_secret_value() if key else LOCAL_API_KEY,
                timeout=self.settings.llm_timeout,
                max_retries=0,  # retries happen in _call, with our bound and budget
            )
        return self._client

    def complete(
        self,
        messages: Messages,
        schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> ChatReply:
        limit = max_tokens or self.settings.llm_max_tokens
        request: dict[str, Any] = {"messages": messages, "max_tokens": limit,
                                   "temperature": self.settings.llm_temperature}
        if schema is not None:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name(schema), "schema": schema, "strict": True},
            }
        deadline = time.monotonic() + self.settings.llm_timeout
        model = self._resolve_model(deadline)
        response = self._call(
            lambda left: self.client.chat.completions.create(model=model, timeout=left, **request),
            deadline,
        )
        try:
            choice = response.choices[0]
            finish, text = choice.finish_reason or "stop", choice.message.content or ""
            refusal = getattr(choice.message, "refusal", None)
        except (AttributeError, IndexError, TypeError) as exc:
            raise LLMError(
                f"LLM endpoint {self._shown_url} sent a reply without a message: "
                "check that it serves OpenAI chat completions"
            ) from exc
        if finish == "length":
            raise LLMError(
                f"LLM reply truncated at {limit} tokens (finish_reason=length): "
                "raise TUTOR_LLM_MAX_TOKENS or shorten the prompt"
            )
        if refusal:
            raise LLMError(
                f"LLM refused to answer ({_one_line(str(refusal))}): "
                "rephrase the request or use another model"
            )
        data = parse_json_reply(text, schema) if schema is not None else None
        return ChatReply(text=text, data=data, finish_reason=finish, model=response.model or model)

    def _resolve_model(self, deadline: float) -> str:
        """The configured model, else the first one the endpoint lists (e.g. llama.cpp's)."""
        if self._model is None:
            listed = self._call(lambda left: self.client.models.list(timeout=left), deadline)
            if not listed.data:
                raise LLMError(
                    f"LLM endpoint {self._shown_url} lists no models: set TUTOR_LLM_MODEL"
                )
            self._model = listed.data[0].id
            log.info("using model %s listed by %s", self._model, self._shown_url)
        return self._model

    def _call(self, request: Callable[[float], T], deadline: float) -> T:
        """Run `request(seconds_left)`, retrying transient errors within the retry bound and
        the deadline; any failure becomes one actionable LLMError."""
        import openai

        attempts = 1 + self.settings.llm_retries
        for attempt in range(1, attempts + 1):
            try:
                return request(max(deadline - time.monotonic(), 0.01))
            except openai.OpenAIError as exc:
                pause = min(self._backoff * 2 ** (attempt - 1), MAX_BACKOFF)
                if (
                    not _transient(exc)
                    or attempt == attempts
                    or (time.monotonic() + pause >= deadline)
                ):
                    raise self._error(exc, attempt) from exc
                log.warning(
                    "LLM call failed (%s); retry %d/%d in %.1fs",
                    _kind(exc),
                    attempt,
                    attempts - 1,
                    pause,
                )
                time.sleep(pause)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _error(self, exc: Exception, attempts: int) -> LLMError:
        """One line that says what failed and what to do, never the API key."""
        import openai

        url, tries = self._shown_url, f"after {attempts} attempt{'s' if attempts > 1 else ''}"
        status = getattr(exc, "status_code", None)
        if isinstance(exc, openai.APITimeoutError):
            msg = (
                f"LLM endpoint {url} did not answer within {self.settings.llm_timeout:g}s: "
                "raise TUTOR_LLM_TIMEOUT or use a smaller model"
            )
        elif isinstance(exc, openai.APIConnectionError):
            msg = f"LLM endpoint {url} unreachable {tries}: start it or unset TUTOR_LLM_BASE_URL"
        elif status in (401, 403):
            msg = f"LLM endpoint {url} rejected the API key (HTTP {status}): set TUTOR_LLM_API_KEY"
        elif status == 404:
            msg = (
                f"LLM endpoint {url} has no such route or model {self.name!r} (HTTP 404): "
                "check TUTOR_LLM_BASE_URL (usually ends in /v1) and TUTOR_LLM_MODEL"
            )
        elif status == 429:
            msg = (
                f"LLM endpoint {url} is rate limiting (HTTP 429) {tries}: "
                "wait and retry, or raise TUTOR_LLM_RETRIES"
            )
        elif isinstance(status, int) and status >= 500:
            msg = f"LLM endpoint {url} failed with HTTP {status} {tries}: check the server's log"
        elif isinstance(status, int):
            msg = (
                f"LLM endpoint {url} rejected the request (HTTP {status}: "
                f"{_one_line(str(exc))}): check TUTOR_LLM_MODEL supports JSON schema output"
            )
        else:
            msg = (
                f"LLM endpoint {url} sent an unusable response ({_kind(exc)}): "
                "check that it is OpenAI-compatible"
            )
        return LLMError(self._redact(msg))

    def _redact(self, text: str) -> str:
        key = self.settings.llm_api_key
        secret = key.get_secret_value() if key else ""
        return text.replace(secret, "***") if secret else text


def schema_name(schema: dict[str, Any]) -> str:
    """The `json_schema.name` OpenAI wants: the schema's title, reduced to [A-Za-z0-9_-]."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(schema.get("title") or "reply"))
    return name.strip("_")[:64] or "reply"


def parse_json_reply(text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in `text`, checked for the keys `schema` requires (at every level).

    Raises:
        LLMError: the text is not a JSON object, or a required key is missing.
    """
    body = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", body, flags=re.DOTALL)
    if fenced:  # some servers wrap JSON in a Markdown fence despite response_format
        body = fenced.group(1)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise LLMError(
            f"LLM reply is not valid JSON ({exc.msg} at char {exc.pos}): "
            "use a model or server that supports JSON schema output"
        ) from exc
    if not isinstance(data, dict):
        raise LLMError(
            f"LLM reply is JSON but not an object ({type(data).__name__}): "
            "use a model or server that supports JSON schema output"
        )
    missing = missing_keys(data, schema)
    if missing:
        raise LLMError(
            f"LLM reply lacks required keys {', '.join(missing[:5])}: "
            "use a model or server that supports JSON schema output"
        )
    return data


def missing_keys(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Dotted paths of required keys absent from `value`, following properties and items."""
    if isinstance(value, dict):
        props = schema.get("properties", {})
        found = [f"{path}{key}" for key in schema.get("required", []) if key not in value]
        for key, sub in props.items():
            if key in value and isinstance(sub, dict):
                found += missing_keys(value[key], sub, f"{path}{key}.")
        return found
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [
            m
            for i, item in enumerate(value)
            for m in missing_keys(item, schema["items"], f"{path}{i}.")
        ]
    return []


def _transient(exc: Exception) -> bool:
    """Worth another try: no connection, a timeout, rate limiting or a server error."""
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


def _kind(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def _one_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
