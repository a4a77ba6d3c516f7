"""Spaced repetition: FSRS review scheduling fed by 0-5 grades."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from fsrs import Card, Rating, Scheduler

# Upper bounds (exclusive) of the score bands for Again, Hard and Good; anything higher is Easy.
RATING_BANDS: tuple[tuple[float, Rating], ...] = (
    (1.5, Rating.Again),
    (3.0, Rating.Hard),
    (4.5, Rating.Good),
)


def rating_for(score: float) -> Rating:
    """Map a 0-5 grade to an FSRS rating (<1.5 Again, <3 Hard, <4.5 Good, else Easy).

    Raises:
        ValueError: if the score is NaN or outside 0-5.
    """
    if math.isnan(score) or not 0.0 <= score <= 5.0:
        raise ValueError(f"score must be within 0-5, got {score}")
    for upper, rating in RATING_BANDS:
        if score < upper:
            return rating
    return Rating.Easy


def new_scheduler() -> Scheduler:
    """The FSRS scheduler with default weights and no fuzz.

    Fuzzing only spreads the load of large decks; without it the same history always gives
    the same due date, which keeps schedules explainable and testable.
    """
    return Scheduler(enable_fuzzing=False)


def to_utc(when: datetime) -> datetime:
    """`when` in UTC; a naive datetime is taken as local time (Python's convention)."""
    return when.astimezone(UTC)


def schedule_review(
    state_json: str | None,
    score: float,
    now: datetime,
    scheduler: Scheduler | None = None,
) -> tuple[str, datetime]:
    """Review a card graded `score` at `now`; return its new FSRS state (JSON) and due date.

    Args:
        state_json: the card's FSRS state from a previous review, or None for a first review.
        score: the 0-5 grade of the answer.
        now: when the answer was graded.
        scheduler: an FSRS scheduler; `new_scheduler()` when None.

    Raises:
        ValueError: if the score is out of range or `state_json` is not an FSRS card.
    """
    rating = rating_for(score)
    card = load_card(state_json) if state_json else Card(card_id=0)
    card, _log = (scheduler or new_scheduler()).review_card(card, rating, to_utc(now))
    return card.to_json(), to_utc(card.due)


def load_card(state_json: str) -> Card:
    """Parse an FSRS card stored by `schedule_review`.

    Raises:
        ValueError: if the JSON is not an FSRS card.
    """
    try:
        return Card.from_json(state_json)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not an FSRS card state: {exc}") from exc


def due_at(state_json: str) -> datetime:
    """The due date (UTC) recorded in an FSRS card state."""
    return to_utc(load_card(state_json).due)


def describe_due(due: datetime, now: datetime) -> str:
    """When a review is due, in plain words: "now", "later today", "tomorrow", "in 6 days",
    "in 3 weeks", "in 2 months". Days are counted on the calendar of `now`'s time zone.

    Raises:
        ValueError: if `now` has no time zone (the day boundaries would be a guess).
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone, e.g. datetime.now().astimezone()")
    if due <= now:
        return "now"
    days = (due.astimezone(now.tzinfo).date() - now.date()).days
    if days == 0:
        return "later today"
    if days == 1:
        return "tomorrow"
    if days < 14:
        return f"in {days} days"
    if days < 60:
        return f"in {round(days / 7)} weeks"
    months, years = round(days / 30.4), round(days / 365)
    return f"in {months} months" if months < 12 else "in a year" if years == 1 else \
        f"in {years} years"


def due_calendar(dues: list[datetime], now: datetime, days: int = 14) -> list[tuple[date, int]]:
    """How many cards fall due on each of the next `days` days (overdue ones count today),
    in `now`'s time zone; days with nothing due are listed with 0."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone, e.g. datetime.now().astimezone()")
    today = now.date()
    counts = dict.fromkeys((today + timedelta(days=n) for n in range(days)), 0)
    for due in dues:
        day = max(due.astimezone(now.tzinfo).date(), today)
        if day in counts:
            counts[day] += 1
    return list(counts.items())
