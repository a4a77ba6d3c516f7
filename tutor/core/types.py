"""The domain in a few types: cards, key points, chunks, hits, citations and grades."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

CardKind = Literal["concept", "scenario", "plain"]
PointStatus = Literal["covered", "partial", "missing", "incorrect"]


class KeyPoint(BaseModel):
    """One rubric item: a short label and the guide text that states it."""

    label: str
    text: str  # verbatim guide text (whitespace-normalised) stating the point
    chunk_id: str = ""
    start: int = 0  # character span of `text` inside the card body
    end: int = 0


def source_named(source: str, name: str) -> bool:
    """Does `name` (a file name, its stem, or a path) name the guide stored as `source`?"""
    from pathlib import Path

    path = Path(source)
    if name in (source, path.name, path.stem):
        return True
    try:
        return str(Path(name).expanduser().resolve()) == source
    except OSError:
        return False


class Card(BaseModel):
    """One guide section: a question and its reference answer."""

    id: str
    heading: str
    kind: CardKind
    part: str = ""
    topic: str = ""
    question: str
    body: str
    key_points: list[KeyPoint] = Field(default_factory=list)
    source: str = ""
    difficulty: str | None = None  # "easy" | "medium" | "hard", from the guide's markers
    no_reference: bool = False  # listed, but not graded or asked: the guide gives no answer

    def from_guide(self, name: str) -> bool:
        """Is this card from the guide `name` (file name, stem or path; see `tutor guides`)?"""
        return source_named(self.source, name)


class Chunk(BaseModel):
    """A retrievable passage; never straddles two cards."""

    id: str
    card_id: str
    heading: str
    question: str
    kind: CardKind
    position: int
    text: str
    source: str = ""


class Hit(BaseModel):
    """A chunk with its fused score and the ranks each retriever gave it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "chunk_id": self.chunk.id,
            "card_id": self.chunk.card_id,
            "section": self.chunk.heading,
            "question": self.chunk.question,
            "text": self.chunk.text,
            "score": round(self.score, 6),
            "dense_rank": self.dense_rank,
            "bm25_rank": self.bm25_rank,
        }


class Citation(BaseModel):
    """A verbatim quote of the guide and where it stands."""

    chunk_id: str
    section: str
    quote: str


class PointResult(BaseModel):
    """How the answer fared on one key point."""

    point: str
    status: PointStatus
    evidence: str = ""  # the candidate's words matching the point, if any
    citation: Citation | None = None
    similarity: float = 0.0
    weight: float = 1.0
    essential: bool = True
    credit: float = 0.0  # 0-1: what this point added to the score (see Grade.breakdown)
    terms_found: list[str] = Field(default_factory=list)  # key terms said in the answer


class Grade(BaseModel):
    """The outcome of grading one answer."""

    score: float = Field(ge=0, le=5)
    verdict: str
    question: str
    section: str | None = None
    card_id: str | None = None
    match_confidence: float = 1.0
    covered: list[PointResult] = Field(default_factory=list)
    partial: list[PointResult] = Field(default_factory=list)
    missing: list[PointResult] = Field(default_factory=list)
    incorrect: list[PointResult] = Field(default_factory=list)
    feedback: str = ""
    follow_up: str | None = None
    follow_up_point: PointResult | None = None
    grader: str = "embedded"
    warnings: list[str] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)  # answer sentences no point supports
    breakdown: dict[str, float | str] = Field(default_factory=dict)  # how the score was made

    def citations(self) -> list[Citation]:
        items = self.covered + self.partial + self.missing + self.incorrect
        return [p.citation for p in items if p.citation is not None]
