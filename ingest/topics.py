"""Topics: the guide's own section headings; the bundled guide keeps its curated topic map.

The bundled guide has no topic headings of its own (only "Part" markers), so the team wrote a
topic map for it, recognised by the guide's content hash. Every other guide gets the topics its
own headings give (see `structure`); a guide without section headings leaves topics empty.
"""

from __future__ import annotations

import hashlib
import re
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
