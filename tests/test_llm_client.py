"""The LLM access layer against a real local model (protocol) and a misbehaving server (faults).

The tiny model's answers are never judged: only the shape of what comes back.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import ScriptedChatModel
from tests.llm_server import LLMServer
from tests.misbehaving_server import MODEL, VALID_REPLY, VALID_SCHEMA, MisbehavingServer, closed_url
from tutor.core.errors import LLMError
from tutor.core.settings import Settings
from tutor.llm.client import (
    OpenAIChatModel,
    chat_model_for,
    missing_keys,
    parse_json_reply,
    schema_name,
)

SECRET = "sk-test-0123456789abcdefSECRET"
ASK = [{"role": "user", "content": "Grade this answer."}]
# Every string has maxLength, the array maxItems and the integer bounds, so the reply is short.
# (llama.cpp's grammar enforces integer bounds but not `number` bounds, hence an integer.)
FLASHCARD: dict[str, Any] = {
    "title": "flashcard",
    "type": "object",
    "properties": {
        "term": {"type": "string", "maxLength": 24},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 12}, "maxItems": 2},
        "difficulty": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["term", "tags", "difficulty"],
    "additionalProperties": False,
}


def make_model(tmp_path: Path, url: str, **overrides: Any) -> OpenAIChatModel:
    fields: dict[str, Any] = {"llm_model": MODEL, "llm_timeout": 10.0, "llm_retries": 1}
    fields.update(overrides)
    settings = Settings(data_dir=tmp_path, llm_base_url=url, **fields)
    return OpenAIChatModel(settings, backoff=0.01)


def raised(model: OpenAIChatModel, schema: dict[str, Any] | None = VALID_SCHEMA) -> LLMError:
    with pytest.raises(LLMError) as info:
        model.complete(ASK, schema=schema)
    message = str(info.value)
    assert "\n" not in message and len(message) < 300, message
    return info.value


# --- protocol, against the real xllamacpp server ---------------------------------------------


@pytest.mark.llm
def test_schema_reply_parses_and_conforms(llm_server: LLMServer, tmp_path: Path):
    jsonschema = pytest.importorskip("jsonschema")
    model = make_model(tmp_path, llm_server.base_url, llm_model=llm_server.model, llm_timeout=120.0)
    messages = [
        {"role": "system", "content": "Reply with one compact JSON object."},
        {"role": "user", "content": "Make a flashcard about the KV cache."},
    ]
    reply = model.complete(messages, schema=FLASHCARD, max_tokens=160)
    assert reply.finish_reason == "stop"
    assert reply.model == llm_server.model
    assert reply.data is not None
    jsonschema.validate(reply.data, FLASHCARD)


@pytest.mark.llm
def test_tiny_max_tokens_is_a_truncation_error(llm_server: LLMServer, tmp_path: Path):
    model = make_model(tmp_path, llm_server.base_url, llm_model=llm_server.model, llm_timeout=60.0)
    with pytest.raises(LLMError, match=r"truncated at 2 tokens \(finish_reason=length\)"):
        model.complete([{"role": "user", "content": "Explain attention."}], max_tokens=2)


@pytest.mark.llm
def test_model_name_comes_from_the_server_when_unset(llm_server: LLMServer, tmp_path: Path):
    settings = Settings(data_dir=tmp_path, llm_base_url=llm_server.base_url, llm_timeout=60.0)
    model = chat_model_for(settings)
    assert isinstance(model, OpenAIChatModel)
    word = {
        "type": "object",
        "properties": {"word": {"type": "string", "maxLength": 10}},
        "required": ["word"],
        "additionalProperties": False,
    }
    reply = model.complete([{"role": "user", "content": "Say hello."}], schema=word, max_tokens=64)
    assert model.name == llm_server.model
    assert reply.data is not None and isinstance(reply.data["word"], str)


# --- faults, against the misbehaving server ----------------------------------------------------


def test_refused_connection_says_start_it_or_unset(tmp_path: Path):
    err = raised(make_model(tmp_path, closed_url()))
    assert "unreachable after 2 attempts" in str(err)
    assert "start it or unset TUTOR_LLM_BASE_URL" in str(err)


def test_credentials_in_the_url_are_hidden(tmp_path: Path):
    url = closed_url().replace("http://", "http://user:hunter2@")
    err = raised(make_model(tmp_path, url, llm_retries=0))
    assert "hunter2" not in str(err) and "//***@127.0.0.1" in str(err)


def test_slow_server_times_out_within_the_budget(
    misbehaving_server: MisbehavingServer, tmp_path: Path
):
    misbehaving_server.set("slow", delay=10)
    model = make_model(tmp_path, misbehaving_server.url, llm_timeout=0.5, llm_retries=2)
    started = time.monotonic()
    err = raised(model)
    assert time.monotonic() - started < 0.5 + 1.5
    assert "did not answer within 0.5s" in str(err) and "TUTOR_LLM_TIMEOUT" in str(err)
    assert misbehaving_server.count == 1  # the budget is spent: no retry


@pytest.mark.parametrize("retries", [0, 2])
@pytest.mark.parametrize("mode", ["429", "500"])
def test_transient_errors_are_retried_a_bounded_number_of_times(
    misbehaving_server: MisbehavingServer, tmp_path: Path, mode: str, retries: int
):
    misbehaving_server.set(mode)
    err = raised(make_model(tmp_path, misbehaving_server.url, llm_retries=retries))
    assert misbehaving_server.count == 1 + retries
    assert f"HTTP {mode}" in str(err) and f"after {1 + retries} attempt" in str(err)


def test_a_retry_recovers_from_one_server_error(
    misbehaving_server: MisbehavingServer, tmp_path: Path
):
    misbehaving_server.script("500", "valid")
    reply = make_model(tmp_path, misbehaving_server.url).complete(ASK, schema=VALID_SCHEMA)
    assert reply.data == VALID_REPLY
    assert misbehaving_server.count == 2


def test_client_errors_are_not_retried(misbehaving_server: MisbehavingServer, tmp_path: Path):
    misbehaving_server.set("400")
    err = raised(make_model(tmp_path, misbehaving_server.url, llm_retries=3))
    assert misbehaving_server.count == 1
    assert "rejected the request (HTTP 400" in str(err)


def test_truncated_reply_is_an_error(misbehaving_server: MisbehavingServer, tmp_path: Path):
    misbehaving_server.set("length")
    err = raised(make_model(tmp_path, misbehaving_server.url, llm_max_tokens=256))
    assert "truncated at 256 tokens (finish_reason=length)" in str(err)
    assert "TUTOR_LLM_MAX_TOKENS" in str(err)


def test_invalid_json_is_an_error(misbehaving_server: MisbehavingServer, tmp_path: Path):
    misbehaving_server.set("invalid")
    err = raised(make_model(tmp_path, misbehaving_server.url))
    assert "not valid JSON" in str(err)


def test_json_missing_a_required_key_is_an_error(
    misbehaving_server: MisbehavingServer, tmp_path: Path
):
    misbehaving_server.set("payload", payload={"verdict": "covered"})
    err = raised(make_model(tmp_path, misbehaving_server.url))
    assert "lacks required keys score" in str(err)


def test_valid_json_request_and_reply(misbehaving_server: MisbehavingServer, tmp_path: Path):
    misbehaving_server.set("valid")
    reply = make_model(tmp_path, misbehaving_server.url).complete(
        ASK, schema=VALID_SCHEMA, max_tokens=99
    )
    assert reply.data == VALID_REPLY and reply.model == MODEL and reply.finish_reason == "stop"
    body = misbehaving_server.requests[-1].body
    assert body["messages"] == ASK and body["model"] == MODEL and body["max_tokens"] == 99
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": VALID_SCHEMA, "strict": True},
    }


def test_payload_mode_returns_any_json(misbehaving_server: MisbehavingServer, tmp_path: Path):
    made_up = {"verdict": "covered", "score": 5, "quote": "a sentence the guide never wrote"}
    misbehaving_server.set("payload", payload=made_up)
    reply = make_model(tmp_path, misbehaving_server.url).complete(ASK, schema=VALID_SCHEMA)
    assert reply.data == made_up


def test_fenced_json_is_accepted(misbehaving_server: MisbehavingServer, tmp_path: Path):
    misbehaving_server.set("text", payload='```json\n{"verdict": "partial", "score": 2}\n```')
    reply = make_model(tmp_path, misbehaving_server.url).complete(ASK, schema=VALID_SCHEMA)
    assert reply.data == {"verdict": "partial", "score": 2}


def test_model_is_listed_when_not_configured(misbehaving_server: MisbehavingServer, tmp_path: Path):
    model = make_model(tmp_path, misbehaving_server.url, llm_model=None)
    assert model.complete(ASK).text
    assert model.name == MODEL and misbehaving_server.requests[-1].body["model"] == MODEL


@pytest.mark.parametrize("mode", ["refuse", "slow", "400", "429", "500", "length", "invalid"])
def test_api_key_never_appears_in_errors_or_logs(
    misbehaving_server: MisbehavingServer,
    tmp_path: Path,
    mode: str,
    caplog: pytest.LogCaptureFixture,
):
    url = closed_url() if mode == "refuse" else misbehaving_server.url
    if mode != "refuse":
        misbehaving_server.set(mode, delay=5)
    model = make_model(tmp_path, url, llm_api_key=SECRET, llm_timeout=0.5)
    with caplog.at_level(logging.DEBUG):
        err = raised(model)
    assert SECRET not in str(err) and SECRET not in repr(err) and SECRET not in caplog.text
    assert SECRET not in repr(model.settings)
    if mode != "refuse":  # the key was really sent, so its absence above means something
        assert misbehaving_server.requests[0].headers["Authorization"] == f"Bearer {SECRET}"


def test_hosted_openai_without_a_key_is_an_error(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, llm_model="gpt-4o-mini")
    with pytest.raises(LLMError, match="set TUTOR_LLM_API_KEY"):
        OpenAIChatModel(settings).complete(ASK)


# --- the pieces around the contract -----------------------------------------------------------


def test_chat_model_for_is_none_without_configuration(tmp_path: Path):
    assert chat_model_for(Settings(data_dir=tmp_path)) is None


def test_missing_keys_follow_nested_properties_and_items():
    schema = {
        "type": "object",
        "required": ["points"],
        "properties": {
            "points": {
                "type": "array",
                "items": {"type": "object", "required": ["label", "status"]},
            }
        },
    }
    assert missing_keys(
        {"points": [{"label": "a", "status": "covered"}, {"label": "b"}]}, schema
    ) == ["points.1.status"]
    with pytest.raises(LLMError, match="not an object"):
        parse_json_reply("[1, 2]", schema)


def test_schema_name_is_what_openai_accepts():
    assert schema_name({"title": "Key point verdicts!"}) == "Key_point_verdicts"
    assert schema_name({}) == "reply"


def test_scripted_model_records_calls_and_checks_schemas():
    fake = ScriptedChatModel([VALID_REPLY, {"verdict": "x"}, LLMError("LLM endpoint down")])
    assert fake.complete(ASK, schema=VALID_SCHEMA).data == VALID_REPLY
    with pytest.raises(LLMError, match="lacks required keys score"):
        fake.complete(ASK, schema=VALID_SCHEMA)
    with pytest.raises(LLMError, match="down"):
        fake.complete(ASK)
    assert fake.prompts == [ASK, ASK, ASK] and fake.calls[0].schema == VALID_SCHEMA
