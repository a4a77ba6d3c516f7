"""The end-of-interview report: scores by topic, strengths, gaps, a study plan, next reviews."""

from __future__ import annotations

import textwrap
from datetime import datetime

from pydantic import BaseModel, Field

from tutor.core.errors import InputError
from tutor.core.types import Citation
from tutor.index.knowledge import KnowledgeBase
from tutor.storage.scheduling import describe_due
from tutor.storage.store import Store, TurnRecord

STUDY_BELOW = 3.5
QUOTE_CHARS = 160
REVIEW_NOTE = ("Weak answers come back soon, the same day for a miss; strong ones after days or "
               "weeks: reviews are spaced by how well you knew the answer (FSRS).")


class TopicSummary(BaseModel):
    topic: str
    questions: int
    mean_score: float
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)


class StudyItem(BaseModel):
    """A guide section to reread, with the passages for the points that were missed."""

    section: str
    card_id: str
    score: float
    reread: list[Citation] = Field(default_factory=list)
    next_review: datetime | None = None
    next_review_in: str | None = None  # in plain words: "tomorrow", "in 6 days"


class InterviewReport(BaseModel):
    session_id: str
    profile: str
    status: str
    started_at: datetime
    answered: int
    mean_score: float | None
    turns: list[dict[str, object]]
    topics: list[TopicSummary]
    study_plan: list[StudyItem]
    next_reviews: list[dict[str, object]]


def build_report(store: Store, kb: KnowledgeBase, session_id: str | None = None,
                 now: datetime | None = None) -> InterviewReport:
    """The report of one of the store's learner's sessions (their most recent by default).

    Args:
        now: when "tomorrow" is counted from (default: now, in the local time zone).
    """
    sessions = store.list_sessions(limit=1) if session_id is None else []
    record = store.get_session(session_id) if session_id else (sessions[0] if sessions else None)
    if record is None:
        what = f"session {session_id}" if session_id else "interview session"
        raise InputError(f"No {what} found for profile {store.profile!r}: start one with "
                         f"`tutor interview --profile {store.profile}`")
    now = now or datetime.now().astimezone()
    turns = store.turns(record.id)
    mains = [t for t in turns if t.kind == "main"]
    graded = [t for t in mains if t.grade.grader != "none"]
    return InterviewReport(
        session_id=record.id, profile=record.profile, status=record.status,
        started_at=record.created_at,
        answered=len(graded),
        mean_score=round(sum(t.score for t in mains) / len(mains), 2) if mains else None,
        turns=[_turn_row(t) for t in turns],
        topics=_topics(mains, turns),
        study_plan=_study_plan(store, kb, mains, now),
        next_reviews=_next_reviews(store, kb, mains, now),
    )


def _turn_row(t: TurnRecord) -> dict[str, object]:
    return {"position": t.position, "kind": t.kind, "card_id": t.card_id, "question": t.question,
            "score": t.score, "verdict": t.grade.verdict}


def _topics(mains: list[TurnRecord], turns: list[TurnRecord]) -> list[TopicSummary]:
    out: dict[str, TopicSummary] = {}
    for t in mains:
        summary = out.setdefault(t.topic or "other", TopicSummary(topic=t.topic or "other",
                                                                  questions=0, mean_score=0.0))
        summary.questions += 1
        summary.mean_score += t.score
        summary.strengths += [p.point for p in t.grade.covered][:2]
        summary.gaps += [p.point for p in t.grade.missing + t.grade.incorrect][:2]
    for s in out.values():
        s.mean_score = round(s.mean_score / s.questions, 2)
        s.strengths = list(dict.fromkeys(s.strengths))[:4]
        s.gaps = list(dict.fromkeys(s.gaps))[:4]
    return sorted(out.values(), key=lambda s: s.mean_score)


def _study_plan(store: Store, kb: KnowledgeBase, mains: list[TurnRecord],
                now: datetime) -> list[StudyItem]:
    items = []
    for t in sorted(mains, key=lambda t: t.score):
        if t.score >= STUDY_BELOW:
            continue
        card = kb.card(t.card_id)
        citations = [p.citation for p in t.grade.missing + t.grade.partial if p.citation][:3]
        if not citations and card is not None:  # skipped: point to the card's first passages
            citations = [Citation(chunk_id=kp.chunk_id, section=card.heading,
                                  quote=kp.text.split("\n")[0]) for kp in card.key_points[:2]]
        review = store.review_state(t.card_id)
        items.append(StudyItem(section=card.heading if card else t.question, card_id=t.card_id,
                               score=t.score, reread=citations,
                               next_review=review.due if review else None,
                               next_review_in=describe_due(review.due, now) if review else None))
    return items


def _next_reviews(store: Store, kb: KnowledgeBase, mains: list[TurnRecord],
                  now: datetime) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for card_id in dict.fromkeys(t.card_id for t in mains):
        review = store.review_state(card_id)
        card = kb.card(card_id)
        if review is not None:
            rows.append({"card_id": card_id, "section": card.heading if card else card_id,
                         "due": review.due.isoformat(), "when": describe_due(review.due, now)})
    return sorted(rows, key=lambda r: str(r["due"]))


def format_report(report: InterviewReport) -> str:
    """The report as terminal text."""
    mean = f"{report.mean_score:.1f}/5" if report.mean_score is not None else "n/a"
    lines = [f"Interview report — {report.profile}, session {report.session_id[:8]} "
             f"({report.status})",
             f"Questions answered: {report.answered}   mean score: {mean}", "", "By topic:"]
    for t in report.topics:
        lines.append(f"  {t.topic}: {t.mean_score:.1f}/5 over {t.questions} question(s)")
        if t.strengths:
            lines.append(f"    strengths: {', '.join(t.strengths)}")
        if t.gaps:
            lines.append(f"    gaps: {', '.join(t.gaps)}")
    if report.study_plan:
        lines += ["", "Study plan (reread these guide sections):"]
        for i, item in enumerate(report.study_plan, 1):
            review = f"; next review {item.next_review_in}" if item.next_review_in else ""
            lines.append(f"  {i}. {item.section}  (scored {item.score:.1f}/5{review})")
            for c in item.reread:
                lines.append(f"       [{c.chunk_id}] “{shorten_quote(c.quote)}”")
    if report.next_reviews:
        width = max(len(str(r["when"])) for r in report.next_reviews)
        lines += ["", "Next reviews:"]
        lines += [f"  {r['when']:<{width}}  {r['section']}" for r in report.next_reviews]
        lines.append(f"  {REVIEW_NOTE}")
    return "\n".join(lines)


def shorten_quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote on one line, cut at a word boundary with " …" when longer than `limit`."""
    return textwrap.shorten(" ".join(text.split()), limit, placeholder=" …")
