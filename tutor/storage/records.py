"""What the learner database holds, as plain records: sessions, turns, reviews, progress rows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from tutor.core.errors import InputError
from tutor.core.settings import DEFAULT_PROFILE, PROFILE_NAME_PATTERN
from tutor.core.types import Grade

SessionStatus = Literal["active", "finished", "abandoned"]
TurnKind = Literal["main", "follow_up"]
_PROFILE_NAME = re.compile(PROFILE_NAME_PATTERN)

__all__ = ["DEFAULT_PROFILE", "ProfileSummary", "ReviewState", "SessionRecord", "SessionScore",
           "SessionStatus", "TopicScore", "TurnKind", "TurnRecord", "check_profile_name"]


def check_profile_name(name: str) -> str:
    """`name` if it is a valid profile name.

    Raises:
        InputError: if it is empty, too long or uses other characters than letters, digits,
            spaces and . _ @ -.
    """
    if not isinstance(name, str) or not _PROFILE_NAME.fullmatch(name):
        raise InputError(
            f"Invalid profile name {name!r}: use 1-64 letters, digits, spaces or . _ @ -, "
            "starting with a letter or digit (e.g. `--profile alice`)"
        )
    return name


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One interview session: its configuration and the ordered card ids it plans to ask."""

    id: str
    created_at: datetime
    updated_at: datetime
    status: SessionStatus
    config: dict[str, Any]
    plan: list[str]
    profile: str = DEFAULT_PROFILE

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> SessionRecord:
        id_, created, updated, status, config, plan, profile = row
        return cls(id_, parse_time(created), parse_time(updated), status, json.loads(config),
                   json.loads(plan), profile)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "profile": self.profile, "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat(), "status": self.status,
                "config": self.config, "plan": self.plan}


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One asked question, the candidate's answer and its grade."""

    id: int
    session_id: str
    position: int
    card_id: str
    topic: str
    question: str
    kind: TurnKind
    answer: str
    grade: Grade
    score: float
    started_at: datetime
    graded_at: datetime
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "session_id": self.session_id, "position": self.position,
                "card_id": self.card_id, "topic": self.topic, "question": self.question,
                "kind": self.kind, "answer": self.answer, "score": self.score,
                "started_at": self.started_at.isoformat(),
                "graded_at": self.graded_at.isoformat(), "seconds": self.seconds,
                "grade": self.grade.model_dump(mode="json")}


@dataclass(frozen=True, slots=True)
class ReviewState:
    """The FSRS schedule of one card."""

    card_id: str
    card: str  # FSRS card JSON, see tutor.storage.scheduling
    due: datetime
    last_score: float
    reps: int
    updated_at: datetime

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> ReviewState:
        card_id, card, due, last_score, reps, updated = row
        return cls(card_id, card, parse_time(due), last_score, reps, parse_time(updated))

    def to_dict(self) -> dict[str, Any]:
        return {"card_id": self.card_id, "due": self.due.isoformat(),
                "last_score": self.last_score, "reps": self.reps,
                "updated_at": self.updated_at.isoformat(), "fsrs": json.loads(self.card)}


@dataclass(frozen=True, slots=True)
class SessionScore:
    """Mean score of the graded turns of one session (progress over time)."""

    session_id: str
    started_at: datetime
    status: SessionStatus
    turns: int
    mean_score: float


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Mean score per topic over all sessions."""

    topic: str
    turns: int
    mean_score: float
    last_at: datetime


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """One learner: how many sessions and answers they have and when they last practised."""

    name: str
    created_at: datetime
    sessions: int
    turns: int
    last_active: datetime | None


def format_time(when: datetime) -> str:
    """Fixed-width UTC text: it sorts as it compares, so the same SQL orders it in every backend.

    A naive datetime is taken as local time (Python's convention).
    """
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
