"""Soft token recall: a paraphrase of a key point earns more than unrelated or echoed text."""

from __future__ import annotations

import pytest

from tutor.embedding.embedder import Embedder, load_embedder
from tutor.grading.token_alignment import PieceIdf, content_tokens, joined, soft_recall

POINT = "LoRA freezes the pretrained weights and trains small low-rank matrices added to them."


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return load_embedder(cache_dir=tmp_path_factory.mktemp("tokens"))


def recall(embedder: Embedder, answer: str, question: str = "What is LoRA?") -> float:
    _, tokens = embedder.embed_with_tokens([POINT, answer])
    idf = PieceIdf([embedder.word_pieces(POINT), embedder.word_pieces("the weights of a model")])
    asked = set(embedder.word_pieces(question))
    return soft_recall(content_tokens(tokens[0]), content_tokens(tokens[1]), asked, idf)


def test_paraphrase_beats_unrelated_text(embedder: Embedder):
    paraphrase = recall(embedder, "It keeps the original model's parameters fixed and only "
                                  "learns a pair of thin rank-decomposed update matrices.")
    unrelated = recall(embedder, "Tokyo is famous for its cherry blossoms in the spring.")
    assert 0.0 <= unrelated < paraphrase <= 1.0
    assert recall(embedder, POINT) > 0.9  # the point itself is all there


def test_words_of_the_question_earn_nothing(embedder: Embedder):
    echo = "LoRA LoRA LoRA"
    assert recall(embedder, echo, question="What is LoRA?") < recall(embedder, echo, question="")


def test_no_tokens_means_no_recall(embedder: Embedder):
    _, tokens = embedder.embed_with_tokens([POINT])
    empty = joined([], embedder.dimension)
    assert soft_recall(content_tokens(tokens[0]), empty, set(), PieceIdf([])) == 0.0
    assert joined([tokens[0], tokens[0]], embedder.dimension).vectors.shape[0] == \
        2 * len(tokens[0].pieces)
