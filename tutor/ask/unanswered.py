"""Questions the guide itself asks but leaves unanswered ("Answer here" placeholders, empty
sections): asked one of those, the tutor says so instead of quoting other sections."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tutor.core.types import Card
from tutor.embedding.embedder import Embedder
from tutor.index.knowledge import KnowledgeBase

# cosine at which a question is taken as the guide's own question (the grader's strong title
# match, tutor.grading.rubric.STRONG_TITLE_MATCH, uses the same)
SAME_QUESTION = 0.8


def unanswered_card(question: str, kb: KnowledgeBase, embedder: Embedder) -> Card | None:
    """The guide's card that asks `question` when its answer is empty, else None."""
    cards, vectors = _unanswered(kb, embedder)
    if not cards:
        return None
    sims = vectors @ embedder.embed_query(question)
    best = int(np.argmax(sims))
    return cards[best] if float(sims[best]) >= SAME_QUESTION else None


@lru_cache(maxsize=4)
def _unanswered(kb: KnowledgeBase, embedder: Embedder) -> tuple[list[Card], np.ndarray]:
    """The cards without an answer and their questions' vectors (embedded once per index)."""
    cards = [c for c in kb.cards if not c.body.strip()]
    if not cards:
        return [], np.zeros((0, embedder.dimension), dtype=np.float32)
    return cards, np.asarray(embedder.embed_batch([c.question for c in cards]))
