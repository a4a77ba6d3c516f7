"""Comparison questions: a point said of the other compared side is caught, not credited."""

import pytest

from tutor.grading.attribution import listed_sides, misattributed, named_subjects, point_subjects
from tutor.grading.polarity import clauses
from tutor.grading.terms import TermGroup, stemmed_words

QUESTION = "What are the differences between GANs and VAEs?"
POINTS = ("GANs pit a generator against a discriminator in a minimax game.",
          "VAEs are encoder-decoder models with a probabilistic latent space.",
          "GAN outputs are sharper; VAE outputs tend to be blurrier.",
          "GANs are hard to train and can suffer mode collapse.",
          "VAEs optimise a reconstruction loss plus a KL divergence.")
ADVERSARIAL = [TermGroup.of(["discriminator", "critic"]), TermGroup.of(["minimax"])]


def test_sides_come_from_a_comparison_question_and_the_points_that_open_with_them():
    assert point_subjects(QUESTION, POINTS) == ("gan", "vae", None, "gan", "vae")
    # without comparison words, only the points that define a question word have a side
    assert point_subjects("What is a GAN and what is a VAE used for?", POINTS) == (
        None, "vae", None, "gan", None)
    assert point_subjects("What is a GAN used for?", POINTS) == (None,) * 5


BIAS_VARIANCE = ("Bias is the error introduced by approximating the true underlying function.",
                 "Variance is a model sensitivity to changes in the training dataset.",
                 "But as a model complexity increases, bias decreases and variance increases.")
SENSITIVITY = [TermGroup.of(["sensitivity"]), TermGroup.of(["training dataset"])]


def test_swapped_definitions_of_two_asked_words_are_misattributed():
    """A definitional question has sides too: the words its points define."""
    subjects = point_subjects("What is the bias-variance trade-off?", BIAS_VARIANCE)
    assert subjects == ("bia", "varianc", None)
    swapped = clauses("The bias-variance trade-off says that bias is the model's sensitivity to "
                      "changes in the training dataset, while variance is the error introduced "
                      "by approximating a complex function.")
    right = clauses("The bias-variance trade-off says that variance is the model's sensitivity "
                    "to changes in the training dataset, while bias is the approximation error.")
    assert misattributed(SENSITIVITY, "varianc", {"bia", "varianc"}, swapped)
    assert not misattributed(SENSITIVITY, "varianc", {"bia", "varianc"}, right)


def test_a_point_said_only_of_the_other_side_is_misattributed():
    swapped = clauses("In a VAE the encoder acts as a critic in a minimax game with the "
                      "decoder.")
    right = clauses("A GAN trains a generator against a critic; a VAE encodes and decodes.")
    assert misattributed(ADVERSARIAL, "gan", {"gan", "vae"}, swapped)
    assert not misattributed(ADVERSARIAL, "gan", {"gan", "vae"}, right)


def test_terms_said_without_naming_a_side_are_not_judged():
    unnamed = clauses("One network plays a critic in a minimax game.")
    assert not misattributed(ADVERSARIAL, "gan", {"gan", "vae"}, unnamed)


# Rubrics cut from a guide's paragraphs are read loosely (paragraphs=True): found on public
# guides, where a swapped BERT/GPT answer scored 5.0.
BERT_GPT = "What is the difference between BERT and GPT?"
SIDES = {"bert", "gpt"}
GUIDE_PARAGRAPH = (  # a guide's paragraph, one rubric point a sentence
    "BERT uses an encoder-only architecture with bidirectional self-attention.",
    "Trained with masked language modeling (MLM).",
    "Best for understanding tasks (classification, NER, QA).",
    "GPT uses a decoder-only architecture with causal self-attention.",
    "Trained with next-token prediction.",
    "Modern LLMs are all decoder-only (GPT-style).")
NEXT_TOKEN = [TermGroup.of(["next-token"]), TermGroup.of(["prediction"]),
              TermGroup.of(["trained"])]
CAUSAL = [TermGroup.of(["decoder-only"]), TermGroup.of(["causal"])]


def test_points_without_a_subject_of_their_own_are_about_the_side_before_them():
    """Each side opens one point; the sentences after it go on about it."""
    assert point_subjects(BERT_GPT, GUIDE_PARAGRAPH) == (None,) * 6  # strict: one point a side
    assert point_subjects(BERT_GPT, GUIDE_PARAGRAPH, paragraphs=True) == (
        "bert", "bert", "bert", "gpt", "gpt", None)
    assert point_subjects("What is the difference between hard and soft voting classifiers?", (
        "* Hard Voting: we classify an input by the maximum votes to a class.",
        "* Soft Voting: we classify an input by the average probability of each class.",
    ), paragraphs=True) == ("hard", "soft")


@pytest.mark.parametrize(("groups", "swapped", "right"), [
    # a clause naming no side speaks of the side named last ("BERT, on the other hand, uses…")
    (CAUSAL, "GPT is encoder-only. BERT, on the other hand, uses a decoder-only architecture "
             "with causal attention.",
     "BERT is encoder-only. GPT, on the other hand, uses a decoder-only architecture with "
     "causal attention."),
    # "trained" is said of GPT in the swap too, but the point's own terms go to BERT
    (NEXT_TOKEN, "GPT is trained with masked language modeling, and BERT is trained with "
                 "next-token prediction.",
     "BERT is trained with masked language modeling, and GPT is trained with next-token "
     "prediction."),
])
def test_the_loose_reading_catches_a_swap_and_passes_the_right_answer(groups, swapped, right):
    assert misattributed(groups, "gpt", SIDES, clauses(swapped), paragraphs=True)
    assert not misattributed(groups, "gpt", SIDES, clauses(right), paragraphs=True)


def test_a_term_that_names_a_side_does_not_tell_which_side_is_meant():
    groups = [TermGroup.of(["GPT"]), TermGroup.of(["causal"])]
    swapped = clauses("GPT is bidirectional and BERT is causal.")
    assert misattributed(groups, "gpt", SIDES, swapped, paragraphs=True)
    assert not misattributed(groups, "gpt", SIDES, paragraphs=True,
                             answer=clauses("BERT is bidirectional and GPT is causal."))


def test_the_guides_labels_over_points_give_the_sides():
    """"Self-Consistency:" over one paragraph and "Self-Refinement:" over another: the sides
    are the question words that tell the labels apart (both hold "self")."""
    question = "What are self-consistency and self-refinement techniques?"
    points = ("Both techniques improve output quality by generating several times.",
              "Generate multiple responses and pick the most common answer (majority voting).",
              "Model critiques and improves its own output iteratively.")
    labels = ("", "Self-Consistency", "Self-Refinement")
    assert point_subjects(question, points, paragraphs=True) == (None,) * 3
    assert point_subjects(question, points, paragraphs=True, labels=labels) == (
        None, "consist", "refin")
    aspects = ("Content Quality Metrics", "Performance Metrics", "User Satisfaction Metrics")
    assert point_subjects("Which content quality, performance and user satisfaction metrics?",
                          points, paragraphs=True, labels=aspects) == (None,) * 3  # no pair
    voting = [TermGroup.of(["responses"]), TermGroup.of(["majority voting"])]
    sides = {"consist", "refin"}
    swapped = clauses("Self-consistency has the model critique and revise a draft. "
                      "Self-refinement, in contrast, samples many responses and takes a "
                      "majority voting.")
    right = clauses("Self-consistency samples many responses and takes a majority voting; "
                    "self-refinement has the model critique and revise a draft.")
    assert misattributed(voting, "consist", sides, swapped, paragraphs=True)
    assert not misattributed(voting, "consist", sides, right, paragraphs=True)


def test_a_question_asking_a_or_b_has_those_sides_and_conditions_name_them():
    """"Too low or too high?": each point's first clause names its side, and in the answer a
    condition ("When the rate is too high, …") says which side the next clause speaks of."""
    question = "What will happen if the learning rate is set too low or too high?"
    points = ("When your learning rate is too low, training will progress very slowly.",
              "It will take many updates before reaching the minimum point.",
              "If the learning rate is set too high, the loss diverges.")
    assert point_subjects(question, points) == (None,) * 3
    assert point_subjects(question, points, paragraphs=True) == ("low", "low", "high")
    slow = [TermGroup.of(["slowly"]), TermGroup.of(["progress"])]
    swapped = clauses("When the learning rate is set too high, training progresses very "
                      "slowly. When it is too low, the loss diverges.")
    right = clauses("When the learning rate is set too low, training progresses very slowly. "
                    "When it is too high, the loss diverges.")
    assert misattributed(slow, "low", {"low", "high"}, swapped, paragraphs=True)
    assert not misattributed(slow, "low", {"low", "high"}, right, paragraphs=True)


def test_a_question_pairing_two_things_names_its_sides_by_the_words_that_differ():
    from tutor.grading.attribution import question_pairs

    assert question_pairs("Dynamic batching vs static batching?") == [("dynam", "static")]
    assert ("prefil", "decod") in question_pairs(
        "Attention during training vs inference (prefill vs decode)?")
    assert question_pairs("Compare HNSW, IVF, and flat indexes.") == []  # a list of three
    points = ("The attention computation differs during prefill versus decode.",
              "During prefill, all input tokens are processed in parallel.",
              "During decode, only one new token is generated per step.",
              "This is memory-bandwidth-bound because loading the KV cache dominates.")
    question = "Attention during training vs inference (prefill vs decode)?"
    assert point_subjects(question, points, paragraphs=True) == (
        None, "prefil", "decod", "decod")
    # in the answer, "During prefill …, so …" speaks of prefill in the clause after it
    bound = [TermGroup.of(["memory-bandwidth-bound"])]
    swapped = clauses("During prefill the model reads one token at a time, so the phase is "
                      "memory-bandwidth-bound. During decode the work is compute-bound.")
    assert misattributed(bound, "decod", {"prefil", "decod"}, swapped, paragraphs=True)


def test_a_term_both_sides_use_tells_no_side_and_a_question_point_has_none():
    """Found on a public guide: a right answer giving "weights" and "features" to L1 was
    flagged for the L2 point, whose terms the L1 points use too; a follow-up line that asks
    ('"Is decode ever compute-bound?" → …') is no statement of a side."""
    question = "How does L1 vs L2 regularization differ?"
    points = ("L1 adds the absolute weights, which zeroes some weights and selects features.",
              "Use L2 when you expect most features to matter but want to prevent large weights.",
              '"Is L2 ever sparse?" → No, it only shrinks weights.')
    assert point_subjects(question, points, paragraphs=True) == ("l1", "l2", None)
    terms = [TermGroup.of(["weights"]), TermGroup.of(["features"]), TermGroup.of(["prevent"])]
    answer = clauses("L1 zeroes some weights and selects features; L2 shrinks all weights.")
    shared = frozenset(stemmed_words(points[0]))
    assert misattributed(terms, "l2", {"l1", "l2"}, answer, paragraphs=True)
    assert not misattributed(terms, "l2", {"l1", "l2"}, answer, paragraphs=True, shared=shared)


def test_a_curated_point_takes_its_side_from_its_statement_not_the_guides_pronoun():
    """The guide says "They focus on the conditional probability"; the curated statement names
    the side ("Discriminative models learn..."), so an answer giving it to generative models is
    caught."""
    import numpy as np

    from tutor.core.types import Citation
    from tutor.grading.evidence import point_evidence
    from tutor.grading.rubric import Rubric, RubricPoint

    def point(statement: str, quote: str, *names: str) -> RubricPoint:
        return RubricPoint(label=statement, text=quote, units=[statement, quote],
                           terms=tuple(TermGroup.of([n]) for n in names),
                           citation=Citation(chunk_id="c#0", section="s", quote=quote))

    points = [point("Discriminative models learn the conditional probability P(y|x).",
                    "They focus on the conditional probability P(y|x).", "conditional"),
              point("Generative models learn the joint distribution P(x, y).",
                    "They aim to model the joint probability distribution.", "joint"),
              point("Discriminative models find a decision boundary between classes.",
                    "These models try to find a decision boundary.", "boundary"),
              point("Generative models can sample new data.",
                    "They can generate new instances.", "sample")]
    question = "What are the differences between discriminative and generative models?"
    swapped = ["Generative models learn the conditional probability, while discriminative "
               "models learn the joint distribution."]
    right = ["Discriminative models learn the conditional probability, generative models the "
             "joint distribution."]

    def denials(answer: list[str], source: str) -> list[list[str]]:
        rubric = Rubric(question=question, points=points, source=source)
        return [p.denied for p in point_evidence(rubric, answer, np.ones((1, 4)),
                                                 [np.ones((2, 4))] * 4, np.zeros(4))][:2]

    assert denials(swapped, "curated") == [["said of gener"], ["said of discrimin"]]
    assert denials(right, "curated") == [[], []]
    assert denials(swapped, "card") == [[], []]  # the guide's own sentences name no side


LOSSES_QUESTION = "What loss functions are used to train image generators?"
LOSSES = ("MSE (L2) penalises squared pixel differences and gives blurry images.",
          "L1 uses absolute differences and gives sharper images than L2.",
          "Style loss matches Gram matrices of feature maps to copy texture.",
          "Content loss keeps the spatial layout of the target image.")
LOSS_TERMS = ([TermGroup.of(["mse", "mean squared error", "l2"]), TermGroup.of(["blurry"])],
              [TermGroup.of(["l1"])], [TermGroup.of(["style loss", "gram matrices"])],
              [TermGroup.of(["content loss", "layout"])])


def test_points_that_open_by_naming_their_own_thing_list_sides():
    """A question asking for a list ("what losses…") has sides when most points open with one
    of their own key terms; the question's own words and ordinary openings are no sides."""
    assert named_subjects(LOSSES_QUESTION, LOSSES, LOSS_TERMS) == ("mse", "l1", "style",
                                                                   "content")
    # fewer than three things named, or named by fewer than half the points: no list
    assert named_subjects(LOSSES_QUESTION, LOSSES[:2], LOSS_TERMS[:2]) == (None, None)
    assert named_subjects("What does a style loss or a content loss keep?", LOSSES,
                          LOSS_TERMS) == (None,) * 4


@pytest.mark.parametrize("answer, caught", [
    ("Mean squared error gives the sharpest images, whereas L1 is known for blurry results. "
     "Style loss keeps the layout, while content loss matches Gram matrices.", True),
    ("MSE is blurry and L1 is sharper. Style loss matches Gram matrices, content loss keeps "
     "the layout.", False),
    # a clause naming two things before the term gives it to neither; an answer that never
    # names the point's thing says nothing of it
    ("Style and content losses both use Gram matrices and layout.", False),
    ("L1 is known for blurry results.", False),
])
def test_a_listed_thing_given_another_things_terms_is_misattributed(answer, caught):
    subjects, said = listed_sides(LOSSES_QUESTION, LOSSES, LOSS_TERMS, clauses(answer))
    sides = {s for s in subjects if s}
    flags = [misattributed(LOSS_TERMS[n], subjects[n], sides, said, listed=True)  # type: ignore[arg-type]
             for n in (0, 2, 3)]
    assert any(flags) is caught
    if caught:
        assert flags == [True, True, True]


@pytest.mark.parametrize("answer, caught", [
    # the clause saying "blurry" names no side: it goes on about the bare subject before it
    ("MSE gives the sharpest images; L1 loss, by contrast, is known for blurry results.", True),
    ("L2 gives the sharpest images; L1 loss, by contrast, is known for blurry results.", True),
    ("MSE is known for blurry results; L1 loss, by contrast, gives sharper ones.", False),
    # a bare clause naming two things carries neither
    ("MSE and L1 losses, by contrast, are known for blurry results.", False),
])
def test_a_listed_side_carries_over_a_bare_subject_and_its_bracketed_name(answer, caught):
    subjects, said = listed_sides(LOSSES_QUESTION, LOSSES, LOSS_TERMS, clauses(answer))
    assert misattributed(LOSS_TERMS[0], "mse", {s for s in subjects if s}, said,
                         listed=True) is caught


ACTORS = (TermGroup.of(["generator"]), TermGroup.of(["discriminator", "critic"]))
GAN_POINT = ("A GAN has a generator that creates images and a discriminator that judges whether "
             "images are real or generated.")
ASKED = frozenset(stemmed_words("What is the role of GANs in generating images from text?"))


def test_a_point_naming_two_actors_gives_each_its_deeds():
    from tutor.grading.roles import point_roles

    roles = point_roles(GAN_POINT, ACTORS, ASKED)
    assert roles is not None and roles.deeds == (frozenset({"creat"}),
                                                 frozenset({"judg", "whether", "real"}))
    # a term with its attribute, or two terms without a deed of their own, are no actors
    assert point_roles("QLoRA quantizes the frozen base model's weights to 4-bit precision.",
                       (TermGroup.of(["quantization", "quantizes"]), TermGroup.of(["4-bit"])),
                       frozenset()) is None
    assert point_roles("The generator and the discriminator are trained together.", ACTORS,
                       ASKED) is None
    contrast = point_roles("The encoder reads the input sentence, while the decoder writes the "
                           "translation.", (TermGroup.of(["encoder"]), TermGroup.of(["decoder"])),
                           frozenset())
    assert contrast is not None and "read" in contrast.deeds[0] and "write" in contrast.deeds[1]


@pytest.mark.parametrize(("answer", "caught"), [
    ("The generator judges whether each image looks real, and the discriminator paints it.",
     True),
    ("In this setup the discriminator creates the images from noise.", True),
    ("The generator creates images from the text and noise; the discriminator judges whether "
     "they are real and match the text.", False),
    # "generate" stems like "generator" but names no actor: no judgement either way
    ("GANs generate images that the discriminator judges as real or not.", False),
    ("Both the generator and the discriminator judge images.", False),
])
def test_an_answer_giving_one_actor_the_others_deeds_is_caught(answer, caught):
    from tutor.grading.roles import point_roles, swapped

    roles = point_roles(GAN_POINT, ACTORS, ASKED)
    assert roles is not None and swapped(roles, clauses(answer)) is caught


def test_a_swapped_generator_and_discriminator_lose_the_point(embedded_grader):
    question = "What is the role of GANs in generating images from text?"
    swapped_answer = ("In text-to-image GANs the discriminator generates the images from the text "
                      "embedding, while the generator judges whether each image looks real and "
                      "matches the caption.")
    right_answer = ("A conditional GAN feeds a text embedding plus noise to the generator, which "
                    "creates an image; the discriminator judges whether the image is real and "
                    "matches the text.")
    wrong = embedded_grader.grade(question, swapped_answer)
    right = embedded_grader.grade(question, right_answer)
    assert any(p.point.startswith("A GAN has a generator") for p in wrong.incorrect)
    assert not right.incorrect and right.score > wrong.score + 1.0


def test_sides_sharing_a_head_are_named_only_with_it(embedded_grader):
    """"Batch normalization and layer normalization": a point about layer normalization that
    says "normalizes over the batch dimension's statistics … unlike batch statistics" still opens
    with its own side; a side word without the shared head names no side, in the reference or
    the answer."""
    from tutor.grading.attribution import side_mentions

    question = "How does batch normalization differ from layer normalization?"
    points = ("Batch normalization normalizes each feature with the mean and variance of the "
              "mini-batch, so it depends on the batch size.",
              "Layer normalization normalizes across the features of each example, with no "
              "batch statistics, so it works for any batch size and for recurrent models.")
    assert point_subjects(question, points, True) == ("batch", "layer")
    said = [w for clause in side_mentions(clauses("Layer normalization uses each example alone, "
                                                  "whatever the batch size."),
                                          question, {"batch", "layer"}) for w in clause]
    assert "batch" not in said and "batch~" in said and "layer" in said
    reference = " ".join(points)
    swapped = embedded_grader.grade(
        question, "Layer normalization uses the mean and variance of the mini-batch, so it "
        "depends on the batch size, while batch normalization normalizes across the features "
        "of each example and suits recurrent models.", reference=reference)
    right = embedded_grader.grade(
        question, "Batch normalization uses the mean and variance of the mini-batch, so it "
        "depends on the batch size. Layer normalization normalizes across the features of each "
        "example, so it suits recurrent models and any batch size.", reference=reference)
    assert not right.incorrect and right.score >= 4.0
    assert swapped.incorrect and swapped.score <= right.score - 1.0


CONTRASTED = ("Bias is error from assumptions that are too simple, which makes a model underfit, "
              "while variance is error from sensitivity to the training set, which makes it "
              "overfit. Raising model complexity lowers bias and raises variance.")


@pytest.mark.parametrize("answer, caught", [
    ("High bias comes from a model that is too flexible, so it overfits, while high variance "
     "comes from a model that is too simple, so it underfits.", True),
    ("Variance makes a model underfit, and bias makes it overfit.", True),
    ("Bias makes a model underfit because its assumptions are too simple, and variance makes it "
     "overfit because it is too sensitive to the training data.", False),
    ("A model with high variance overfits and one with high bias underfits.", False),
    ("Simple models underfit (high bias), complex ones overfit (high variance); pick the middle.",
     False),
])
def test_one_reference_sentence_contrasting_two_sides_catches_their_swap(embedded_grader,
                                                                        answer, caught):
    """A reference sentence that turns from one side to the other (", while") has two halves,
    each with its side and terms: an answer giving each side the other's terms loses the point;
    a bracketed side names the clause it closes."""
    grade = embedded_grader.grade("Explain the bias-variance trade-off.", answer,
                                  reference=CONTRASTED)
    wrong = [p for p in grade.incorrect if p.point.startswith("Bias is error")]
    assert bool(wrong) == caught, grade.incorrect


@pytest.mark.parametrize(("answer", "caught"), [
    ("A high-bias model is too complex and overfits, while a high-variance model is too simple "
     "and underfits.", True),
    ("High bias means an overly simple model that underfits; high variance means an overly "
     "complex model that overfits the noise.", False),
])
def test_a_point_of_two_sentences_on_two_sides_catches_their_swap(embedded_grader, answer,
                                                                  caught):
    """Found on a new markdown guide: a paragraph point whose second sentence turns to the
    other side ("... underfits the data. Variance is ...") has two halves, as one sentence
    turning at ", while" has; the swapped answer had scored 3.3."""
    reference = ("Bias is the error from wrong assumptions in the model: a high-bias model is "
                 "too simple and underfits the data. Variance is the error from sensitivity to "
                 "small fluctuations in the training set: a high-variance model is too complex "
                 "and overfits.")
    grade = embedded_grader.grade("Explain the bias-variance tradeoff.", answer,
                                  reference=reference)
    assert bool(grade.incorrect) == caught, grade.incorrect


def test_a_clause_opened_by_which_keeps_the_word():
    assert clauses("They learn a boundary, which makes them good.")[1][0] == "which"


# Each pair names the same properties, right and then swapped between the two compared things:
# - a point of the bundled guide's GAN/VAE comparison, cut into extracted points, holds each
#   side in a list item ("3. Output Quality:\n- GANs ... sharp ...\n- VAEs ... blurrier ..."):
#   the swapped answer had kept every point (4.2, the right answer's score);
# - "Generative models learn the decision boundary ..., which makes them good at
#   classification": the "which" clause goes on from the side before it (it had named no side;
#   the swapped answer kept every point, 5.0).
SWAPS = [
    ("What are the differences between GANs and VAEs?", ("GANs", "VAEs"),
     "{} train a generator against a discriminator in an adversarial game and produce sharp "
     "images but suffer mode collapse. {} use an encoder and decoder with a probabilistic "
     "latent space and a KL term, and their outputs are blurrier."),
    ("Could you elucidate the fundamental differences between discriminative and generative "
     "models?", ("Discriminative", "Generative"),
     "{} models learn the decision boundary between classes, modelling P(y|x) directly, which "
     "makes them good at classification. {} models learn the joint distribution P(x,y) and can "
     "therefore generate new data samples."),
]


@pytest.mark.parametrize(("question", "sides", "answer"), SWAPS)
def test_an_extracted_comparison_catches_the_sides_swapped(embedded_grader, question, sides,
                                                           answer):
    graded = embedded_grader.with_extracted_rubrics()
    right = graded.grade(question, answer.format(*sides))
    swapped = graded.grade(question, answer.format(*reversed(sides)))
    assert swapped.incorrect and not right.incorrect
    assert swapped.score < right.score - 2


def test_a_participle_after_a_comma_speaks_of_its_clauses_side():
    """", producing sparse models" goes on from the clause before it: a swapped L1/L2 answer
    gives sparsity to L2, and the L1 point's terms to the other side."""
    assert clauses("L2 drives weights to zero, producing sparse models, while L1 shrinks them.")\
        == (("l2", "drive", "weight", "to", "zero", "produc", "spars", "model"),
            ("l1", "shrink", "them"))
    sparse = [TermGroup.of(["lasso"]), TermGroup.of(["sparse"]), TermGroup.of(["absolute"])]
    sides = {"l1", "l2"}
    swapped = clauses("L2 regularization adds the absolute value of weights and drives them to "
                      "exactly zero, producing sparse models, while L1 regularization adds "
                      "squared weights.")
    right = clauses("L1 regularization adds the absolute value of weights and drives them to "
                    "exactly zero, producing sparse models, while L2 regularization adds "
                    "squared weights.")
    assert misattributed(sparse, "l1", sides, swapped, paragraphs=True)
    assert not misattributed(sparse, "l1", sides, right, paragraphs=True)
