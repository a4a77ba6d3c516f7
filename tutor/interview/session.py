"""A mock interview: ask planned questions, grade, follow up once on a weak answer, persist.

Every graded turn is committed to SQLite before the next question is shown, so a crash loses at
most the answer being typed, and `resume` continues where the session stopped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tutor.core.errors import InputError
from tutor.core.types import Card, Grade
from tutor.grading.feedback import follow_up_question, most_important_gap
from tutor.grading.graders import Grader
from tutor.grading.rubric import Rubric, rubric_from_card
from tutor.index.knowledge import KnowledgeBase
from tutor.interview.planning import InterviewConfig, now_utc, plan_questions
from tutor.storage.store import Store, TurnRecord

FOLLOW_UP_BELOW = 4.0
COMMANDS = ("skip", "hint", "show answer", "quit")


@dataclass
class Prompt:
    """What the tutor asks now."""

    number: int  # 1-based question number
    total: int
    card: Card
    text: str
    kind: str  # main | follow_up
    point: str | None = None  # the key point a follow-up probes


@dataclass
class TurnOutcome:
    """The result of one answer: its grade and what comes next."""

    grade: Grade
    next_prompt: Prompt | None


class InterviewSession:
    """The interview state machine; all state lives in the store."""

    def __init__(self, store: Store, kb: KnowledgeBase, grader: Grader, session_id: str,
                 plan: list[str], turns: list[TurnRecord]) -> None:
        self.store, self.kb, self.grader = store, kb, grader
        self.id = session_id
        self.plan = [cid for cid in plan if kb.card(cid) is not None]
        self._position = len(turns)
        self._index, waiting = _replay(turns)
        self._pending = self._follow_up_prompt(waiting) if waiting else None
        self._shown_at = time.monotonic()

    @classmethod
    def start(cls, store: Store, kb: KnowledgeBase, grader: Grader,
              config: InterviewConfig) -> InterviewSession:
        """Plan and open a new session."""
        seen = {t for s in store.list_sessions(limit=3) for t in s.plan}
        weak = [t.topic for t in store.topic_history() if t.mean_score < 3.0]
        plan = plan_questions(kb, config, store.due_cards(now_utc()), weak, seen)
        session_id = store.create_session({**config.to_dict(), "grader": grader.name}, plan)
        return cls(store, kb, grader, session_id, plan, [])

    @classmethod
    def resume(cls, store: Store, kb: KnowledgeBase, grader: Grader,
               session_id: str | None = None) -> InterviewSession:
        """Continue a session (the latest active one by default)."""
        record = store.get_session(session_id) if session_id else store.latest_active_session()
        if record is None:
            what = f"session {session_id}" if session_id else "unfinished session"
            raise InputError(f"No {what} of profile {store.profile!r} to resume: start one "
                             f"with `tutor interview --profile {store.profile}`")
        return cls(store, kb, grader, record.id, record.plan, store.turns(record.id))

    @property
    def finished(self) -> bool:
        return self._index >= len(self.plan) and self._pending is None

    def current(self) -> Prompt | None:
        """The question to show now, or None when the interview is over."""
        if self._pending is not None:
            return self._pending
        if self._index >= len(self.plan):
            return None
        card = self.kb.card(self.plan[self._index])
        assert card is not None
        return Prompt(self._index + 1, len(self.plan), card, card.question, "main")

    def answer(self, text: str) -> TurnOutcome:
        """Grade an answer to the current prompt, store it, and move on."""
        prompt = self._require_prompt()
        if prompt.kind == "follow_up":
            grade = self.grader.grade(prompt.text, text, rubric=self._point_rubric(prompt))
        else:
            grade = self.grader.grade(prompt.text, text, card_id=prompt.card.id)
        self._fresh_follow_up(grade, prompt.card, prompt.text)
        self._record(prompt, text, grade)
        if prompt.kind == "main" and _wants_follow_up(grade):
            self._pending = Prompt(prompt.number, prompt.total, prompt.card,
                                   grade.follow_up or "", "follow_up",
                                   grade.follow_up_point.point if grade.follow_up_point else None)
        else:
            self._advance(prompt)
        return TurnOutcome(grade, self.current())

    def skip(self) -> Prompt | None:
        """Skip the current question (stored with a score of 0)."""
        prompt = self._require_prompt()
        self._record(prompt, "", _marker_grade(prompt, "skipped"))
        self._advance(prompt)
        return self.current()

    def show_answer(self) -> str:
        """The guide's reference answer; the question then counts as not answered."""
        prompt = self._require_prompt()
        self._record(prompt, "", _marker_grade(prompt, "answer shown"))
        self._advance(prompt)
        return prompt.card.body

    def hint(self) -> str:
        """A nudge from the rubric that names an area, not the answer."""
        prompt = self._require_prompt()
        points = prompt.card.key_points
        if prompt.kind == "follow_up" and prompt.point:
            return f"Think about “{prompt.point}” in the context of {prompt.card.topic}."
        labels = [kp.label.rstrip(":.… ") for kp in points if len(kp.label.split()) <= 6][:2]
        areas = " and ".join(f"“{label}”" for label in labels) or "the main mechanism and its uses"
        return f"A strong answer covers about {len(points)} points; for instance, {areas}."

    def finish(self, status: str = "finished") -> None:
        self.store.finish_session(self.id, status)  # type: ignore[arg-type]

    def _require_prompt(self) -> Prompt:
        prompt = self.current()
        if prompt is None:
            raise InputError("This interview is over: see `tutor report`")
        return prompt

    def _record(self, prompt: Prompt, answer: str, grade: Grade) -> None:
        seconds = time.monotonic() - self._shown_at
        self.store.record_turn(self.id, self._position, prompt.card.id, prompt.text,
                               prompt.kind, answer, grade, seconds,  # type: ignore[arg-type]
                               topic=prompt.card.topic, schedule=prompt.kind == "main")
        self._position += 1
        self._shown_at = time.monotonic()

    def _advance(self, prompt: Prompt) -> None:
        self._pending = None
        self._index += 1
        if self.finished:
            self.finish()

    def _follow_up_prompt(self, turn: TurnRecord) -> Prompt | None:
        card = self.kb.card(turn.card_id)
        if card is None:
            return None
        point = turn.grade.follow_up_point.point if turn.grade.follow_up_point else None
        return Prompt(self._index + 1, len(self.plan), card, turn.grade.follow_up or "",
                      "follow_up", point)

    def _fresh_follow_up(self, grade: Grade, card: Card, current: str) -> None:
        """Never ask the same follow-up twice in a session, nor show the question just answered
        as the next one (a follow-up graded against its point would): take the next gap, or
        none."""
        asked = {t.question for t in self.store.turns(self.id)} | {current}

        def was_asked(question: str | None) -> bool:  # also inside "Let's revisit … {question}"
            return question is not None and any(question in q for q in asked)

        points = grade.covered + grade.partial + grade.missing + grade.incorrect
        skipped: set[str] = set()
        while was_asked(grade.follow_up) and grade.follow_up_point is not None:
            skipped.add(grade.follow_up_point.point)
            gap = most_important_gap(points, frozenset(skipped))
            grade.follow_up_point = gap
            grade.follow_up = (follow_up_question(gap, self._rubric_of(card))
                               if gap is not None else None)

    def _rubric_of(self, card: Card) -> Rubric:
        """The rubric the grader uses for a card (curated where there is one)."""
        rubric_for = getattr(self.grader, "rubric_for", None)
        return rubric_for(card.question, card_id=card.id) if rubric_for else \
            rubric_from_card(card, self.kb)

    def _point_rubric(self, prompt: Prompt) -> Rubric:
        full = self._rubric_of(prompt.card)
        points = [p for p in full.points if p.label == prompt.point] or full.points[:1]
        return Rubric(question=prompt.text, points=points, card=prompt.card, source=full.source)


def _replay(turns: list[TurnRecord]) -> tuple[int, TurnRecord | None]:
    """Where a stored session stands: the next plan index and the turn awaiting a follow-up."""
    index, pending = 0, None
    for turn in turns:
        if turn.kind == "main" and _wants_follow_up(turn.grade):
            pending = turn
        else:
            index, pending = index + 1, None
    return index, pending


def _wants_follow_up(grade: Grade) -> bool:
    return (grade.score < FOLLOW_UP_BELOW and bool(grade.follow_up)
            and grade.verdict not in ("skipped", "answer shown"))


def _marker_grade(prompt: Prompt, verdict: str) -> Grade:
    return Grade(score=0.0, verdict=verdict, question=prompt.text, section=prompt.card.heading,
                 card_id=prompt.card.id, grader="none",
                 feedback=f"Question {verdict}; it will come back in a later review.")
