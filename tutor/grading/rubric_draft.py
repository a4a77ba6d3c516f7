"""Drafting a rubric with an LLM: the model proposes points, only verified citations are kept.

A teacher reviews the draft (YAML) and imports it with `tutor rubric import`; nothing drafted is
used for grading before that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tutor.core.errors import LLMError
from tutor.core.templates import render
from tutor.core.types import Card
from tutor.grading.rubric_files import CardRubricSpec, PointSpec
from tutor.grading.statements import chunk_quoting, plain_quote
from tutor.index.knowledge import KnowledgeBase
from tutor.llm.client import ChatModel

MAX_POINTS = 10


def draft_schema() -> dict[str, Any]:
    """JSON schema of the model's reply; bounded so small models cannot run away."""
    point = {
        "type": "object",
        "properties": {
            "statement": {"type": "string", "maxLength": 300},
            "quote": {"type": "string", "maxLength": 600},
            "essential": {"type": "boolean"},
            "weight": {"type": "number", "minimum": 0.5, "maximum": 2},
            "terms": {"type": "array", "maxItems": 3,
                      "items": {"type": "array", "maxItems": 6,
                                "items": {"type": "string", "maxLength": 40}}},
            "follow_up": {"type": "string", "maxLength": 300},
        },
        "required": ["statement", "quote", "essential", "weight", "terms", "follow_up"],
        "additionalProperties": False,
    }
    return {"type": "object",
            "properties": {"points": {"type": "array", "minItems": 1, "maxItems": MAX_POINTS,
                                      "items": point}},
            "required": ["points"], "additionalProperties": False}


@dataclass
class Draft:
    """A drafted rubric and what was dropped from the model's proposal, and why."""

    spec: CardRubricSpec | None
    dropped: list[str]


def draft_rubric(card: Card, kb: KnowledgeBase, model: ChatModel) -> Draft:
    """Ask the model for the card's rubric; keep the points whose quote is verbatim guide text.

    Raises:
        LLMError: the endpoint failed or the reply carried no JSON.
    """
    marker = f"<<<GUIDE-{secrets.token_hex(6)}>>>"
    guide = "\n\n".join(c.text for c in kb.chunks_of(card.id))
    messages = [{"role": "system", "content": render("rubric_system")},
                {"role": "user", "content": render("rubric_user", question=card.question,
                                                    guide=guide, marker=marker)}]
    reply = model.complete(messages, schema=draft_schema())
    if reply.data is None:
        raise LLMError("the LLM reply carried no JSON rubric")
    kept: list[PointSpec] = []
    dropped: list[str] = []
    for n, raw in enumerate(reply.data.get("points", []), 1):
        try:
            point = PointSpec.model_validate(raw)
        except ValidationError as exc:
            dropped.append(f"point {n}: malformed ({exc.errors()[0]['msg']})")
            continue
        if chunk_quoting(card, kb, point.quote) is None:
            dropped.append(f"point {n}: quote not verbatim in the guide: "
                           f"{plain_quote(point.quote)[:60]!r}")
            continue
        point.quote = plain_quote(point.quote)
        point.terms = [[t.strip().lower() for t in group if t.strip()]
                       for group in point.terms if any(t.strip() for t in group)]
        kept.append(point)
    spec = CardRubricSpec(section=card.heading, points=kept) if kept else None
    return Draft(spec, dropped)
