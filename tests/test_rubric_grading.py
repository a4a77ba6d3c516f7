"""Rubric-first grading: curated rubrics, a score made of the verdicts, no credit for length."""

import pytest

from tutor.grading.rubric import rubric_from_card
from tutor.grading.rubric_files import load_rubric_book
from tutor.grading.scoring import SUPPORTING_SHARE

LORA = "What is LoRA and QLoRA?"
GOOD = ("LoRA freezes the pretrained weights and trains small low-rank matrices added to the "
        "attention layers. QLoRA also quantizes the frozen base model to 4-bit, so very large "
        "models can be fine-tuned on one GPU.")


def test_every_bundled_card_has_a_curated_rubric_with_verbatim_citations(kb, verifier):
    book = load_rubric_book()
    for card in kb.cards:
        rubric = rubric_from_card(card, kb, book)
        assert rubric.source == "curated", card.heading
        essential = [p for p in rubric.points if p.essential]
        assert 3 <= len(essential) <= 6, card.heading
        for point in rubric.points:
            assert point.citation is not None, (card.heading, point.label)
            assert verifier.exists(point.citation.quote, point.citation.chunk_id), point.label
            assert point.follow_up and point.follow_up.rstrip().endswith("?")


def test_the_score_can_be_recomputed_from_the_json(embedded_grader):
    grade = embedded_grader.grade(LORA, GOOD).model_dump(mode="json")
    points = grade["covered"] + grade["partial"] + grade["missing"] + grade["incorrect"]
    b = grade["breakdown"]

    def share(essential):
        chosen = [p for p in points if p["essential"] == essential]
        total = sum(p["weight"] for p in chosen)
        return sum(p["weight"] * p["credit"] for p in chosen) / total if total else 0.0

    e, s = share(True), share(False)
    content = e + SUPPORTING_SHARE * s * (1 - e)
    expected = 5 * content ** b["curve"] * b["grounding"] - b["wrong_claims_penalty"] \
        - 0.5 * b["strictness"]
    assert grade["score"] == pytest.approx(min(5.0, max(0.0, expected)), abs=0.051)
    assert grade["score"] >= 3.5  # a short, correct expert answer


def test_a_point_said_the_other_way_round_is_incorrect_and_costs(embedded_grader):
    question = "Imagine implementing a GenAI-based chatbot that can handle real-time customer " \
        "support for a retail company. What components and strategies would you include?"
    plain = ("Use a retriever over the FAQ and product data, authenticate users before showing "
             "their orders, and keep monitoring answer accuracy in production.")
    denied = ("Use a retriever over the FAQ and product data. User authentication isn't needed, "
              "and there is no monitoring of answer accuracy once it is live.")
    right, wrong = embedded_grader.grade(question, plain), embedded_grader.grade(question, denied)
    said_wrong = {p.point for p in wrong.incorrect}
    assert said_wrong and not right.incorrect
    assert not said_wrong & {p.point for p in wrong.covered + wrong.partial}
    assert wrong.breakdown["wrong_claims"] == len(wrong.incorrect)
    assert wrong.score < right.score - 1.0
    assert "claim" in wrong.feedback.lower()


def test_repeating_or_padding_an_answer_adds_nothing(embedded_grader):
    one = "LoRA freezes the base model and trains small low-rank matrices instead."
    base = embedded_grader.grade(LORA, one).score
    repeated = embedded_grader.grade(LORA, " ".join([one] * 4)).score
    rephrased = embedded_grader.grade(LORA, one + (
        " In other words, the original weights stay fixed while tiny low-rank matrices learn. "
        "Put differently, only small rank-decomposition matrices are trained. "
        "This is very important in modern AI systems, as I said before.")).score
    assert repeated == base
    assert rephrased <= base + 0.3


def test_a_bullet_list_of_keywords_under_a_sentence_adds_nothing(embedded_grader):
    one = "LoRA freezes the base model and trains small low-rank matrices instead."
    base = embedded_grader.grade(LORA, one)
    listed = embedded_grader.grade(LORA, one + "\n\n" + "\n".join(
        f"* {word}" for word in ["QUANTIZATION", "4-BIT", "GPU", "MEMORY", "ADAPTERS"]))
    assert listed.score <= base.score
    # each line is its own sentence: the evidence shown is the candidate's sentence alone
    assert all(p.evidence == one for p in listed.covered + listed.partial)


def test_a_hedged_sentence_earns_nothing_and_is_named(embedded_grader):
    one = "LoRA freezes the base model and trains small low-rank matrices instead."
    base = embedded_grader.grade(LORA, one)
    hedged = embedded_grader.grade(LORA, one + " QLoRA quantizes the frozen model to 4-bit, so "
                                   "it needs more/less GPU memory and makes tuning faster/slower.")
    assert hedged.score == base.score
    assert any("both ways" in w and "more/less" in w for w in hedged.warnings)


def test_covered_points_show_the_candidates_words(embedded_grader):
    grade = embedded_grader.grade(LORA, GOOD)
    assert grade.covered
    for point in grade.covered:
        assert point.evidence and point.evidence in GOOD
        assert point.credit == 1.0


def test_an_off_topic_answer_shows_no_covered_or_partial_point(embedded_grader):
    grade = embedded_grader.grade("What is Generative AI (GenAI)?",
                                  "The Eiffel tower in Paris was finished in 1889.")
    assert grade.score == 0 and not grade.covered and not grade.partial


def test_follow_up_is_the_rubrics_question_about_an_essential_gap(embedded_grader):
    grade = embedded_grader.grade(LORA, "LoRA trains small low-rank matrices.")
    assert grade.follow_up and grade.follow_up.endswith("?")
    assert grade.follow_up_point is not None and grade.follow_up_point.essential
    assert grade.follow_up_point.status != "covered"
    rubric = embedded_grader.rubric_for(LORA)
    assert grade.follow_up in {p.follow_up for p in rubric.points}


@pytest.mark.parametrize("statement, question", [
    ("Overfitting happens when a model learns the noise in its training data.",
     "When does overfitting happen?"),
    ("Bias is the error from overly simple assumptions; high bias causes underfitting.",
     "What is bias?"),
    ("The learning rate controls the step size: too large and training diverges.",
     "What does the learning rate control?"),
    ("**Regularization:** Regularization reduces overfitting by penalising weights.",
     "What does regularization reduce, and how?"),
    ("A Vector Database is a store built for similarity search.", "What is a vector database?"),
    # a passive asks for what its participle leads to, or how it is done
    ("A Vector Database is built for similarity search.",
     "What is a vector database built for?"),
    ("Each new tree is fitted to the residuals.", "What is each new tree fitted to?"),
    ("The predictions of the trees are added together, each scaled by a learning rate.",
     "How are the predictions of the trees added?"),
    ("LLMs are advanced AI models trained on text.", "What are LLMs?"),  # an adjective
    ("This prevents units from co-adapting.", None),  # points back: no subject to ask about
    # a verb the dictionary knows, and as no noun; a word that is both reads as a noun
    ("A confusion matrix tabulates predictions against true labels.",
     "What does a confusion matrix tabulate?"),
    ("A confusion matrix records predictions against true labels.", None),
    # a list mark, a label and an opening phrase of place or time are read past
    ("1. During fine-tuning, LoRA inserts small matrices into the layers.",
     "What does LoRA insert?"),
    ("1. BM25\n- Probabilistic Model: BM25 is a ranking function.", "What is BM25?"),
    ("GPT excels at text completion.", "What does GPT excel at?"),
    # a quality predicated asks what makes it so
    ("LoRA and QLoRA are especially useful for deploying large models.",
     "What makes LoRA and QLoRA useful?"),
    ("GANs are hard to train.", "What makes GANs hard to train?"),
    # verbs of explanations, in either number; a plural noun before its verb is the subject
    ("Chain-of-thought prompting encourages the model to show its reasoning.",
     "What does chain-of-thought prompting encourage?"),
    ("Diffusion models generate images by denoising.", "What do diffusion models generate?"),
    ("Generative AI (GenAI) refers to a subset of AI.", "What does generative AI refer to?"),
    # an adjective after a plural noun is no verb; a plural noun's verb in its base form is
    # (found on a new markdown guide, where both got the generic question)
    ("- **Small chunks** give precise matches but lose context.", "What do small chunks give?"),
    ("Large chunks keep more context.", "What do large chunks keep?"),
    ("GANs have played a significant role in image generation.", None),
])
def test_a_statement_becomes_a_question_about_its_subject(statement, question):
    from tutor.grading.follow_ups import question_from_statement

    assert question_from_statement(statement) == question


def test_extracted_points_ask_a_question_not_a_truncated_label(kb):
    """Points of a guide without a curated rubric: a title asks about itself, a sentence about
    its subject; no follow-up quotes a cut-off label."""
    from tutor.grading.follow_ups import template_follow_up

    card = kb.cards[0]
    assert template_follow_up("Early Stopping in LLMs", "Training stops when ...", card) == (
        "What can you tell me about early stopping in LLMs in this context?")
    assert template_follow_up("Definition", "Dropout is a regularizer.", card) == (
        "What is dropout?")  # a label that names no topic: the statement is asked about
    sentence = "Overfitting happens when a model learns the noise in its training data."
    assert template_follow_up("Overfitting happens when a model learns the noise…", sentence,
                               card) == "When does overfitting happen?"
    for card in kb.cards:
        for point in rubric_from_card(card, kb).points:
            assert point.follow_up and "…" not in point.follow_up
            assert point.follow_up.rstrip("?").lower() != card.question.rstrip("?").lower()


def test_a_reference_point_is_asked_about_but_never_with_the_question_itself(embedded_grader):
    reference = ("Dropout is a regularization method. Early stopping halts training when the "
                 "validation loss stops improving.")
    grade = embedded_grader.grade("What is dropout?", "It turns off some neurons.",
                                  reference=reference)
    assert grade.follow_up != "What is dropout?"
    grade = embedded_grader.grade("What is regularization?", "Dropout is one kind.",
                                  reference=reference)
    assert grade.follow_up_point is not None and grade.follow_up_point.status != "covered"
    assert grade.follow_up.endswith("?") and "…" not in grade.follow_up


def test_offline_grades_say_claims_were_not_checked(embedded_grader):
    grade = embedded_grader.grade(LORA, GOOD)
    assert any("could not be checked" in w for w in grade.warnings)


def test_rubric_vectors_are_kept_beside_the_index_and_give_the_same_grade(
        retriever, indexed_settings, tmp_path):
    from tutor.embedding.embedder import embedder_for
    from tutor.grading.embedded import EmbeddedGrader
    from tutor.index.cache import IndexCache

    store = IndexCache(tmp_path / "cache", retriever.kb.fingerprint or "test")
    first = EmbeddedGrader(retriever, embedder_for(indexed_settings), store=store)
    grade = first.grade(LORA, GOOD)
    kept = {p.name.split("-")[1] for p in (tmp_path / "cache").glob("*.npz")}
    assert {"points", "units", "card"} <= kept  # token sets, sentence vectors, card titles
    again = EmbeddedGrader(retriever, embedder_for(indexed_settings), store=store)
    assert again.grade(LORA, GOOD).model_dump() == grade.model_dump()


def test_missing_scoring_parameters_are_a_clear_error(tmp_path):
    from tutor.core.errors import ConfigError
    from tutor.grading.scoring import load_params

    with pytest.raises(ConfigError, match="refit them") as caught:
        load_params(tmp_path / "scoring.json")
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_a_grade_with_nothing_to_grade_against_is_not_called_solid():
    from tutor.grading.feedback import build_grade
    from tutor.grading.rubric import Rubric

    grade = build_grade(Rubric(question="What is a crossfade?", points=[]), [], 0.0, "embedded",
                        [], "ungraded")
    assert grade.feedback.startswith("Not graded") and "Solid" not in grade.feedback


def test_a_follow_up_never_asks_one_of_the_asked_questions_again():
    from tutor.grading.follow_ups import same_question

    assert same_question("What is dropout?", "What is dropout? Why is it useful?")
    assert same_question("What is k fold cross validation?", "What is K-fold cross-validation?")
    assert not same_question("What is bias?", "What is the bias-variance trade-off?")


def test_statuses_agree_with_a_score_cut_by_misplaced_vocabulary(embedded_grader):
    """A long answer in the field's words that says the wrong things (RAG told as a GAN) loses
    its score to grounding; none of its points may then be shown covered."""
    answer = ("Retrieval-Augmented Generation is a training trick in which the generator and a "
              "discriminator play a minimax game: the retriever is a second neural network that "
              "produces fake documents, and the language model is fine-tuned with adversarial "
              "loss until it can no longer tell the retrieved documents from real ones. Because "
              "the knowledge is baked into the weights during this pre-training stage, RAG does "
              "not query any external database at inference time, and updating the documents "
              "requires retraining the whole model with a lower learning rate and more epochs.")
    grade = embedded_grader.grade("What is Retrieval-Augmented Generation (RAG)?", answer)
    assert grade.breakdown["grounding"] < 0.5 and grade.score <= 1.0
    assert not grade.covered
    curve = grade.breakdown["curve"]
    for point in grade.partial:  # a point shown partial keeps a share of the score
        assert point.credit * grade.breakdown["grounding"] ** (1 / curve) > 0
    if grade.breakdown["grounding"] == 0.0:  # nothing carried: nothing shown as said
        assert not grade.partial and grade.incorrect + grade.missing


def test_a_keyword_list_shows_no_covered_point_above_its_cap(embedded_grader):
    grade = embedded_grader.grade("What is Retrieval-Augmented Generation (RAG)?",
                                  "RAG, retrieval, generator, knowledge base, documents, "
                                  "vector store, embeddings")
    assert grade.breakdown.get("cap") == "keyword list"
    assert grade.partial and not grade.covered


def test_a_follow_up_on_a_wrong_claim_quotes_the_candidate_and_asks_the_point():
    """The interviewer names the sentence that was wrong and asks the point's question; a point
    whose question is only the generic one asks the candidate to restate the claim instead."""
    from tutor.core.types import Citation, PointResult
    from tutor.grading.feedback import follow_up_question
    from tutor.grading.follow_ups import GENERIC
    from tutor.grading.rubric import Rubric, RubricPoint

    cite = Citation(chunk_id="c#0", section="L1 and L2", quote="L2 adds the squared weights.")
    asked = RubricPoint(label="L2 adds the squared weights.", text="L2 adds the squared weights.",
                        citation=cite, follow_up="What does L2 regularization add?")
    bare = RubricPoint(label="It shrinks them.", text="It shrinks them.", citation=cite,
                       follow_up=GENERIC)
    rubric = Rubric(question="What is the difference between L1 and L2?", points=[asked, bare])
    said = "L2 adds the absolute values of the weights and zeroes many of them."
    wrong = PointResult(point=asked.label, status="incorrect", evidence=said)
    assert follow_up_question(wrong, rubric) == \
        f'Let\'s revisit one claim. You said: "{said}" What does L2 regularization add?'
    vague = PointResult(point=bare.label, status="incorrect", evidence=said)
    assert GENERIC not in follow_up_question(vague, rubric)
    assert follow_up_question(vague, rubric).endswith(
        "Can you restate it and explain why it holds?")


def test_they_or_it_stands_for_the_previous_statements_subject_of_its_number():
    from tutor.grading.follow_ups import resolved

    previous = "XGBoost and LightGBM are popular implementations."
    assert resolved("They add regularization of tree complexity.", previous) == \
        "XGBoost and LightGBM add regularization of tree complexity."
    assert resolved("It adds regularization.", previous) == "It adds regularization."
    assert resolved("It drives weights to zero.", "L1 regularization adds absolute values.") == \
        "L1 regularization drives weights to zero."
    assert resolved("They learn.", "This prevents co-adaptation.") == "They learn."
