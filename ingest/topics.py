"""Topics: the guide's own section headings; the bundled guide keeps its curated topic map.

The bundled guide has no topic headings of its own (only "Part" markers), so the team wrote a
topic map for it, recognised by the guide's content hash. Every other guide gets the topics its
own headings give (see `structure`); a guide without section headings gets its cards clustered
by their words, each cluster named by its most telling technical terms (`clustered_topics`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import lru_cache

# Ordered: the first topic whose pattern matches the heading wins.
TOPICS: list[tuple[str, str]] = [
    ("Scenarios", r"^scenario\b"),
    ("RAG & vector search", r"\brag\b|retrieval|vector database"),
    ("Fine-tuning & adaptation", r"rlhf|peft|lora|distillation|transfer learning|fine-tun"),
    ("Image generation & diffusion", r"diffusion|image|text-to-image"),
    ("GANs, VAEs & latent space", r"\bgans?\b|\bvaes?\b|autoencoder|latent|adversarial"),
    ("Transformers & LLMs", r"transformer|tokeni|attention|\bgpt\b|\bllms?\b|prompt|few-shot"),
    ("Training & infrastructure", r"gpu|tpu|computational|training large"),
    ("GenAI fundamentals", r"."),
]


def topic_for(heading: str, body: str = "") -> str:
    """The bundled guide's topic for a card heading (its curated map)."""
    for name, pattern in TOPICS:
        if re.search(pattern, heading, re.IGNORECASE):
            return name
    return "GenAI fundamentals"


def is_bundled_guide(text: str) -> bool:
    """Is this text the bundled guide (whatever the file is called)?"""
    return _digest(text) == _bundled_digest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.lstrip("\ufeff").encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _bundled_digest() -> str:
    from tutor.core.settings import BUNDLED_GUIDE

    try:
        return _digest(BUNDLED_GUIDE.read_text(encoding="utf-8"))
    except OSError:  # pragma: no cover - a broken install: no curated topics
        return ""


MIN_CARDS_TO_CLUSTER = 6
MAX_CLUSTERS = 8
# A topic is named by technical terms ("gradient", "clustering"), never by everyday words the
# questions happen to share ("mention", "two", "different"); the threshold is the one grading
# uses for a reference's key terms. A cluster without such a word gets a plain name.
MIN_TECHNICALITY = 0.5
PLAIN_TOPIC = "General"


def clustered_topics(texts: list[str], headings: list[str] | None = None) -> list[str]:
    """Topics for a guide without section headings: cards clustered by their words (tf-idf,
    average-linkage on cosine distance), each cluster named by its most telling words.

    Returns one topic name per text ("" for every text when there are too few to cluster).
    """
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from tutor.core.lexicon import technicality
    from tutor.core.stats import idf
    from tutor.core.text import STOPWORDS, stem, tokenize

    if len(texts) < MIN_CARDS_TO_CLUSTER:
        return [""] * len(texts)
    docs = [[w for w in tokenize(t) if w not in STOPWORDS and len(w) > 2 and not w.isdigit()]
            for t in texts]
    surface: dict[str, dict[str, int]] = {}
    stems = []
    for words in docs:
        row = []
        for w in words:
            s = stem(w)
            surface.setdefault(s, {}).setdefault(w, 0)
            surface[s][w] += 1
            row.append(s)
        stems.append(row)
    df: dict[str, int] = {}
    for row in stems:
        for s in set(row):
            df[s] = df.get(s, 0) + 1
    vocab = sorted(s for s, n in df.items() if 2 <= n <= max(2, len(texts) // 2))
    if not vocab:
        return [""] * len(texts)
    col = {s: i for i, s in enumerate(vocab)}
    matrix = np.zeros((len(texts), len(vocab)))
    for r, row in enumerate(stems):
        for s in row:
            if s in col:
                matrix[r, col[s]] += 1
    matrix *= idf(np.array([df[s] for s in vocab]), len(texts))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    k = int(np.clip(round(np.sqrt(len(texts) / 2)), 2, MAX_CLUSTERS))
    # cosine distances of the unit rows; a card sharing no word with the others (an empty
    # answer) is a zero row, at distance 1 from every card (scipy's own cosine gives NaN there)
    distance = np.clip(1.0 - matrix @ matrix.T, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(distance, checks=False), method="average"), k,
                      criterion="maxclust")
    in_heading = np.zeros(len(vocab))  # a word the questions themselves use names a topic best
    for heading in headings or []:
        for w in tokenize(heading):
            if stem(w) in col:
                in_heading[col[stem(w)]] += 1
    written = [max(surface[s], key=surface[s].__getitem__) for s in vocab]  # the guide's word
    cased = _cased(texts)
    technical = np.array([technicality(w) >= MIN_TECHNICALITY for w in written])
    names = {}
    for label in set(labels):
        inside = labels == label
        outside = matrix[~inside].mean(axis=0) if (~inside).any() else 0.0
        weight = (matrix[inside].mean(axis=0) - outside) * (1 + in_heading)
        top = [i for i in np.argsort(-weight) if weight[i] > 0 and technical[i]][:3]
        name = ", ".join(cased.get(written[i], written[i]) for i in top)
        names[label] = name[:1].upper() + name[1:] if top else PLAIN_TOPIC
    return [names[label] for label in labels]


def _cased(texts: list[str]) -> dict[str, str]:
    """Each lower-cased word of the texts as the guide most often writes it ("llms": "LLMs"),
    for words it writes with capitals inside them or in full (an acronym, a name)."""
    seen = Counter(w for t in texts for w in re.findall(r"[^\W_][\w-]*", t)
                   if any(c.isupper() for c in w[1:]))
    best: dict[str, tuple[int, str]] = {}
    for word, n in seen.items():
        if n > best.get(word.lower(), (0, ""))[0]:
            best[word.lower()] = (n, word)
    return {low: word for low, (_, word) in best.items()}
