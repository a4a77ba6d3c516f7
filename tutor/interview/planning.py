"""Planning an interview: which guide questions to ask, in which order."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from tutor.core.errors import InputError
from tutor.core.types import Card
from tutor.index.knowledge import KnowledgeBase

Mix = Literal["mixed", "concept", "scenario"]


@dataclass
class InterviewConfig:
    """What the candidate asked for."""

    questions: int = 5
    topics: list[str] = field(default_factory=list)
    mix: Mix = "mixed"
    scenario_share: float = 0.25
    seed: int | None = None
    difficulty: list[str] = field(default_factory=list)  # easy | medium | hard; empty: any
    guides: list[str] = field(default_factory=list)  # guide names (see `tutor guides`); empty: all

    def to_dict(self) -> dict[str, object]:
        return {"questions": self.questions, "topics": self.topics, "mix": self.mix,
                "scenario_share": self.scenario_share, "seed": self.seed,
                "difficulty": self.difficulty, "guides": self.guides}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> InterviewConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)  # type: ignore[arg-type]


def list_topics(kb: KnowledgeBase) -> list[str]:
    """Topics present in the index, in guide order."""
    return list(dict.fromkeys(c.topic for c in kb.cards if c.topic))


def eligible_cards(kb: KnowledgeBase, config: InterviewConfig) -> list[Card]:
    """Cards matching the topic, difficulty and mix filters (raises with the valid choices when
    none match). Questions the guide gives no answer for (`no_reference`) are never asked."""
    cards = [c for c in kb.cards if c.key_points and not c.no_reference]
    if config.guides:
        cards = [c for c in cards if any(c.from_guide(g) for g in config.guides)]
        if not cards:
            names = ", ".join(dict.fromkeys(Path(c.source).name for c in kb.cards))
            raise InputError(f"No questions from guide {', '.join(config.guides)}; "
                             f"the index holds: {names}")
    if config.difficulty:
        wanted_levels = {d.lower() for d in config.difficulty}
        levels = sorted({c.difficulty for c in cards if c.difficulty})
        cards = [c for c in cards if c.difficulty in wanted_levels]
        if not cards:
            raise InputError(f"No questions of difficulty {', '.join(config.difficulty)}; "
                             f"this guide has: {', '.join(levels) or 'no difficulty markers'}")
    if config.topics:
        wanted = {t.lower() for t in config.topics}
        cards = [c for c in cards if c.topic.lower() in wanted
                 or any(w in c.topic.lower() for w in wanted)]
        if not cards:
            raise InputError(f"No questions for topics {config.topics}; "
                             f"choose from: {', '.join(list_topics(kb))}")
    if config.mix != "mixed":
        cards = [c for c in cards if (c.kind == "scenario") == (config.mix == "scenario")]
    if not cards:
        raise InputError(f"No {config.mix} questions match; try --mix mixed")
    return cards


def plan_questions(kb: KnowledgeBase, config: InterviewConfig, due: list[str],
                   weak_topics: list[str], seen_recently: set[str]) -> list[str]:
    """Ordered card ids: due reviews first, then weak topics, then the rest; no repeats.

    Random but reproducible: the same seed and history give the same plan.
    """
    rng = random.Random(config.seed)
    cards = eligible_cards(kb, config)
    by_id = {c.id: c for c in cards}
    n = min(config.questions, len(cards))
    want_scenarios = (round(n * config.scenario_share) if config.mix == "mixed" else
                      n if config.mix == "scenario" else 0)
    pools = [
        [cid for cid in due if cid in by_id],
        _shuffled([c.id for c in cards if c.topic in weak_topics and c.id not in seen_recently],
                  rng),
        _shuffled([c.id for c in cards if c.id not in seen_recently], rng),
        _shuffled([c.id for c in cards], rng),
    ]
    plan: list[str] = []
    scenarios = 0
    for pool in pools:
        for cid in pool:
            if len(plan) >= n or cid in plan:
                continue
            is_scenario = by_id[cid].kind == "scenario"
            if config.mix == "mixed" and is_scenario and scenarios >= max(want_scenarios, 0):
                continue
            if config.mix == "mixed" and not is_scenario and (
                    len(plan) - scenarios >= n - want_scenarios):
                continue
            plan.append(cid)
            scenarios += is_scenario
    for cid in pools[-1]:  # the mix could not be honoured: fill with anything left
        if len(plan) < n and cid not in plan:
            plan.append(cid)
    return plan


def _shuffled(items: list[str], rng: random.Random) -> list[str]:
    rng.shuffle(items)
    return items


def now_utc() -> datetime:

    return datetime.now(UTC)
