"""Scripted fakes of our own contracts, for unit tests of the logic around them."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tutor.llm.client import ChatReply, Messages, parse_json_reply

Scripted = dict[str, Any] | str | ChatReply | BaseException


@dataclass(frozen=True)
class Call:
    """What the model was asked."""

    messages: Messages
    schema: dict[str, Any] | None
    max_tokens: int | None


class ScriptedChatModel:
    """A `ChatModel` that answers from a queue and records every call.

    Each scripted reply is a dict (sent as JSON), a string (sent as text), a ready `ChatReply`,
    or an exception (raised, e.g. `LLMError("... unreachable ...")`). With a schema, dict and
    string replies go through the same JSON checks as the real backend, so a reply missing a
    required key raises `LLMError` here too.
    """

    def __init__(self, replies: Iterable[Scripted] = (), name: str = "scripted") -> None:
        self.replies: deque[Scripted] = deque(replies)
        self.calls: list[Call] = []
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def prompts(self) -> list[Messages]:
        """The messages of every call, in order."""
        return [call.messages for call in self.calls]

    def add(self, *replies: Scripted) -> None:
        self.replies.extend(replies)

    def complete(
        self,
        messages: Messages,
        schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> ChatReply:
        self.calls.append(Call([dict(m) for m in messages], schema, max_tokens))
        if not self.replies:
            raise AssertionError(f"ScriptedChatModel got call {len(self.calls)} with no reply left")
        reply = self.replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, ChatReply):
            return reply
        text = reply if isinstance(reply, str) else json.dumps(reply)
        data = parse_json_reply(text, schema) if schema is not None else None
        return ChatReply(text=text, data=data, finish_reason="stop", model=self._name)
