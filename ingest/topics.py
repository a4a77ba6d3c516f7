"""Assign each card a topic from its heading (and body when the heading says little)."""

from __future__ import annotations

import re

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
    """Return the topic name for a card."""
    for name, pattern in TOPICS:
        if re.search(pattern, heading, re.IGNORECASE):
            return name
    return "GenAI fundamentals"
