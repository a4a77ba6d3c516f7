"""The ask suite's arithmetic, the glossary and the card fusion (the index only where named)."""

from __future__ import annotations

import numpy as np
from tutor.eval.agreement import same_sentence
from tutor.eval.ask_eval import fit_refusal
from tutor.eval.datasets import read_rows
from tutor.eval.report import compare, headline
from tutor.eval.retrieval_eval import (
    BLIND_FILE,
    fit_pairwise,
    rank_metrics,
    section_folds,
    with_gold_sections,
)

from tutor.retrieval.fusion import card_scores, standardise_columns, weight_vector
from tutor.retrieval.glossary import Glossary, find_abbreviations
from tutor.retrieval.lexical import TermIndex


def test_glossary_reads_abbreviations_both_ways():
    found = {a.short: a.long for a in find_abbreviations([
        "Retrieval-Augmented Generation (RAG) grounds answers. GPT (Generative Pre-trained "
        "Transformer) is a model. Model Building (RAG) is a heading.",
        "Term Frequency-Inverse Document Frequency (TF-IDF) weighs words.",
        "A stack is last-in, first-out (LIFO)."])}
    assert found == {"RAG": "Retrieval-Augmented Generation",
                     "GPT": "Generative Pre-trained Transformer",
                     "TF-IDF": "Term Frequency-Inverse Document Frequency",
                     "LIFO": "last-in, first-out"}
    glossary = Glossary.from_texts(["Large Language Models (LLMs) and GANs (Generative "
                                    "Adversarial Networks)"])
    assert glossary.expand("why do llms hallucinate") == (
        "why do llms hallucinate (Large Language Models)")
    assert glossary.expansions("training a generative adversarial network") == ["GAN"]
    assert glossary.expand("nothing here") == "nothing here"


def test_term_index_scores_are_rank_bm25s():
    from rank_bm25 import BM25Okapi

    docs = [["lora", "rank", "matrix"], ["rag", "retriev", "rank"], ["gan", "gan", "mode"], []]
    ours = TermIndex(docs)
    theirs = BM25Okapi([d or ["_"] for d in docs])
    for query in (["rank"], ["gan", "mode", "gan"], ["unknown"], ["lora", "rag"]):
        assert np.allclose(ours.scores(query), theirs.get_scores(query))
    assert ours.df("rank") == 2 and ours.df("nothing") == 0


def test_card_scores_weigh_standardised_features():
    features = np.array([[1.0, 10.0, 5.0], [0.0, 20.0, 5.0], [2.0, 0.0, 5.0]])
    z = standardise_columns(features)
    assert np.allclose(z[:, 2], 0.0) and np.allclose(z.mean(axis=0), 0.0)
    weights = weight_vector({"a": 1.0, "b": 0.0}, ["a", "b", "c"])
    assert list(np.argsort(-card_scores(features, weights))) == [2, 0, 1]


def test_pairwise_fit_learns_which_feature_ranks():
    rng = np.random.default_rng(0)
    matrices, relevant = [], []
    for _ in range(30):
        m = rng.normal(size=(6, 2))
        best = int(np.argmax(m[:, 0]))  # feature 0 decides, feature 1 is noise
        matrices.append(m)
        relevant.append([best])
    w = fit_pairwise(matrices, relevant, strength=1.0)
    assert w[0] > 5 * abs(w[1])
    orders = [np.argsort(-(m @ w)) for m in matrices]
    assert rank_metrics(orders, relevant)["hit@1"] == 1.0


def test_folds_keep_a_section_together():
    groups = ["a", "a", "b", "c", "c", "d", "e", "f"]
    folds = section_folds(groups, k=3)
    assert folds[0] == folds[1] and folds[3] == folds[4]
    assert set(folds) == {0, 1, 2}


def test_refusal_fit_refuses_what_it_must():
    rng = np.random.default_rng(1)
    inside = rng.normal(0.6, 0.05, size=(40, 2))
    outside = rng.normal(0.3, 0.05, size=(20, 2))
    x = np.vstack([inside, outside])
    y = np.array([True] * 40 + [False] * 20)
    w, b = fit_refusal(x, y)
    covered = x @ w + b >= 0
    assert covered[:40].all() and not covered[40:].any()


def test_gold_sentence_matching_ignores_markup_and_case():
    gold = "**Code Generation:** AI systems like GitHub Copilot assist developers."
    assert same_sentence(gold, "Code Generation: AI systems like GitHub Copilot assist developers")
    assert same_sentence("A B C D E", "a b c d e f g")  # one holds the other... or most words
    assert not same_sentence(gold, "Style transfer applies the style of one image to another.")


def test_ask_figures_are_in_the_headline_and_compared():
    ask = {"cv": {"support_recall": 0.8, "answer_precision": 0.7, "refusal_rate": 0.9,
                  "false_refusal_rate": 0.05, "quotes_verbatim": 1.0},
           "shipped": {"support_recall": 0.85, "false_refusal_rate": 0.04}}
    flat = headline({"ask": ask})
    assert flat["ask.cv.support_recall"] == 0.8 and flat["ask.shipped.false_refusal_rate"] == 0.04
    worse = headline({"ask": {"cv": {**ask["cv"], "false_refusal_rate": 0.1}}})
    rows = {r["metric"]: r["change"] for r in compare(worse, flat)}
    assert rows["ask.cv.false_refusal_rate"] == "worse" and rows["ask.cv.support_recall"] == "same"


def test_blind_questions_find_the_cards_holding_their_gold_sentences(kb):
    rows = [r for r in read_rows(BLIND_FILE) if r["in_guide"]]
    found = with_gold_sections(kb, rows)
    headings = {card.heading for card in kb.cards}
    assert len(found) == len(rows) >= 50
    assert all(r["sections"] and set(r["sections"]) <= headings for r in found)
    mode_collapse = next(r for r in found if "same picture" in r["question"])
    assert mode_collapse["sections"] == [
        "How do you handle mode collapse in Generative Adversarial Networks (GANs)?"]


def test_card_ranking_figures_are_in_the_headline():
    cards = {name: {"hit@1": 0.8, "hit@3": 0.9, "mrr": 0.85, "questions": 55}
             for name in ("cv", "ask_set", "blind")}
    flat = headline({"retrieval": {"methods": {}, "cards": cards}})
    assert flat["retrieval.cards.blind.hit@1"] == 0.8 and flat["retrieval.cards.cv.mrr"] == 0.85
    assert "retrieval.cards.blind.questions" not in flat
