"""Negation read in its clause: a key term said the other way round, not any nearby "not"."""

import pytest

from tutor.grading.polarity import clauses, denied_terms, inverted_terms, said_both_ways
from tutor.grading.terms import TermGroup


def terms(*names: str) -> list[TermGroup]:
    return [TermGroup.of([n]) for n in names]


def test_a_term_negated_in_its_own_clause_is_denied():
    answer = clauses("User authentication isn't needed, and monitoring is never required.")
    assert denied_terms(terms("authentication", "monitoring"), answer,
                        "Authenticate users securely; monitor accuracy in production.") == \
        ["authentication", "monitoring"]


def test_negation_in_another_clause_or_far_away_denies_nothing():
    answer = clauses("Since there is no recurrence, training parallelises well on GPUs. "
                     "Nothing about the model, its size, its data or its schedule changes the "
                     "learning rate.")
    assert denied_terms(terms("GPU", "learning rate"), answer, "Parallel training on GPUs; "
                        "the learning rate matters.") == []


def test_a_negation_does_not_reach_past_and_or_or():
    guide = "It requires mutual exclusion, hold and wait, no preemption, and circular wait."
    listed = clauses("Conditions: mutual exclusion hold and wait no preemption and circular wait.")
    assert denied_terms(terms("exclusion", "circular"), listed, guide) == []
    assert denied_terms(terms("circular"), clauses("There is no circular wait."), guide) == [
        "circular"]
    assert denied_terms(terms("monitoring"), clauses("Monitoring and logging are not needed."),
                        "Monitor the model.") == []
    assert denied_terms(terms("logging"), clauses("Monitoring and logging are not needed."),
                        "Log every request.") == ["logging"]


def test_a_term_also_said_plainly_or_negated_by_the_guide_is_not_denied():
    answer = clauses("It needs no labels. Unlabelled data is all it uses.")
    assert denied_terms(terms("unlabelled"), answer, "It learns from unlabelled data.") == []
    said_so = clauses("The model does not need retraining.")
    assert denied_terms(terms("retraining"), said_so,
                        "The generative model itself does not need retraining.") == []


def test_double_negation_and_negated_aliases_read_as_plain():
    assert denied_terms(terms("review"), clauses("Nothing goes live without a review."),
                        "Review content before it goes live.") == []
    no_labels = [TermGroup.of(["no labels", "unlabelled"])]
    assert denied_terms(no_labels, clauses("It learns from data with no labels."),
                        "It learns from unlabelled data.") == []


def test_leaving_out_and_unnecessary_deny_but_contrasts_do_not():
    guide = "Validate answers against a trusted database; fine-tune the LLM on legal data."
    answer = clauses("Skip response validation to keep latency low. Fine-tuning is unnecessary.")
    assert denied_terms(terms("validation", "fine-tune"), answer, guide) == [
        "validation", "fine-tune"]
    # "skip" denies only what follows it
    assert denied_terms(terms("validation"), clauses("After validation, skip nothing."),
                        guide) == []
    # a contrast is no denial: vector databases search by similarity "instead of SQL queries"
    assert denied_terms(terms("SQL"), clauses("They use similarity search instead of SQL "
                                              "queries."), "Traditional databases use SQL.") == []


def test_a_guide_clause_that_holds_a_negation_anywhere_is_no_plain_statement():
    answer = clauses("The net can't rely on any subset of neurons.")
    assert denied_terms(terms("subset"), answer, "This forces the network not to rely only on "
                        "the subset of neurons for feature representation.") == []
    assert denied_terms(terms("subset"), answer, "Each step trains a random subset of "
                        "neurons.") == ["subset"]


def test_a_negation_the_card_itself_states_of_the_other_side_is_no_denial():
    import numpy as np

    from tutor.core.types import Citation
    from tutor.grading.evidence import point_evidence
    from tutor.grading.rubric import Rubric, RubricPoint

    def point(text: str, *names: str) -> RubricPoint:
        return RubricPoint(label=text[:20], text=text, units=[text], terms=tuple(terms(*names)),
                           citation=Citation(chunk_id="c#0", section="s", quote=text))

    points = [point("A feedforward network's signals travel in one direction.", "direction"),
              point("There are no feedback loops in it.", "loops"),
              point("A recurrent network's signals travel both ways, creating a looped network.",
                    "looped", "signals")]
    answer = ["Feedforward nets pass signals one way, no loops; RNNs feed their state back in."]

    def denials(source: str) -> list[list[str]]:
        rubric = Rubric(question="Feedforward vs recurrent networks?", points=points,
                        source=source)
        found = point_evidence(rubric, answer, np.ones((1, 4)), [np.ones((1, 4))] * 3,
                               np.zeros(3))
        return [p.denied for p in found]

    assert denials("card")[2] == []  # the card says "no loops" itself, of the other network
    assert denials("curated")[2] == ["looped"]  # a curated point is compared with itself


GUIDE_MQA = "MQA shrinks the KV cache by a factor of the number of heads."
KV_CACHE = [TermGroup.of(["KV cache"])]


@pytest.mark.parametrize(("answer", "inverted"), [
    # the opposite of the guide's word, next to the same term
    (["With MQA the KV cache grows by a factor of the number of heads."], ["KV cache (grow)"]),
    # negated opposites say it the guide's way; the guide's own word anywhere clears the term
    (["With MQA the KV cache does not grow with the heads."], []),
    (["MQA shrinks the KV cache, where in MHA the KV cache grows with heads."], []),
    # a word of a compound qualifies the compound ("high-growth"), and a far one says nothing
    (["The KV cache is a high-growth structure."], []),
    (["The KV cache is kept in memory while the number of users grows."], []),
])
def test_a_term_said_next_to_the_opposite_of_the_guides_word_is_inverted(answer, inverted):
    assert inverted_terms(KV_CACHE, answer, GUIDE_MQA) == inverted


def test_removing_what_the_guide_adds_is_inverted():
    noise = [TermGroup.of(["Gaussian noise"])]
    guide = "The forward process gradually adds Gaussian noise to a real image."
    assert inverted_terms(noise, ["The forward process removes Gaussian noise step by step."],
                          guide) == ["Gaussian noise (remov)"]
    assert inverted_terms(noise, ["Training adds Gaussian noise; the model learns to remove "
                                  "the Gaussian noise added."], guide) == []


def test_opposites_count_only_for_the_alias_the_guide_qualifies():
    """The guide says "more practical for deployment"; "less memory" in the answer is about
    another alias of the same group."""
    group = [TermGroup.of(["deploy", "deployment", "memory"])]
    guide = "Distillation reduces model size, making it more practical for deployment."
    assert inverted_terms(group, ["The student needs less memory."], guide) == []
    assert inverted_terms(group, ["It makes deployment less practical."], guide) == [
        "deployment (less)"]


def test_a_guide_word_under_a_negation_or_prevent_verb_gives_nothing_to_invert():
    """"prevent large weights" asks for small ones: "keeps the weights small" is no inversion."""
    weights = [TermGroup.of(["weights"])]
    guide = "Use L2 when you want to prevent large weights."
    assert inverted_terms(weights, ["L2 keeps the weights small."], guide) == []
    assert inverted_terms(weights, ["L2 keeps the weights small."], "L2 gives large weights.") == [
        "weights (small)"]


@pytest.mark.parametrize(("sentence", "hedge"), [
    ("QLoRA needs more/less GPU memory than LoRA.", "more/less"),
    ("The student is smaller (or larger) than the teacher.", "smaller (or larger"),
    ("The base model may, or may not, be frozen.", "may, or may not"),
    ("Quantization does or does not change the weights.", "does or does not"),
    ("It works for long or short documents.", None),  # both hold: a plain "or" commits
    ("It maps input/output pairs and labels spam or not spam.", None),
])
def test_a_claim_said_both_ways_is_a_hedge(sentence, hedge):
    assert said_both_ways(sentence) == hedge



def test_no_and_without_after_a_term_deny_it_only_through_a_verb_of_having_or_doing():
    """"No" and "without" negate what follows them; a term said before them is denied when a
    verb joins the two ("sequence length has no impact"), not when they open an adjunct of its
    own clause ("shrinks the weights without zeroing them")."""
    guide = "L2 shrinks all weights smoothly; sequence length affects the cost."
    assert denied_terms(terms("shrinks"), clauses(
        "L2 penalizes squared weights and shrinks them without zeroing them."), guide) == []
    assert denied_terms(terms("unlabelled"), clauses(
        "It learns from unlabelled data with no target outputs."), guide) == []
    assert denied_terms(terms("sequence length"), clauses(
        "Sequence length has no impact on the cost."), guide) == ["sequence length"]
    assert denied_terms(terms("review"), clauses(
        "Human review adds cost without reducing errors."), guide) == ["review"]


def test_a_direction_term_the_answer_turns_round_of_the_asked_thing_is_opposed():
    """The guide's "sequentially" answered with "in parallel" of gradient boosting: no term of
    the point is said, its own direction word is turned round. Not of another thing, not when
    the answer says the guide's word too, not when the statement says both ways."""
    from tutor.grading.polarity import opposed_terms
    from tutor.grading.terms import stemmed_words

    guide = "Gradient boosting builds an ensemble of shallow decision trees, sequentially."
    asked = frozenset(stemmed_words("How does gradient boosting work?"))
    sequential = terms("sequentially")
    wrong = ["Gradient boosting trains many decision trees independently in parallel."]
    assert opposed_terms(sequential, wrong, guide, asked) == ["sequentially (parallel)"]
    other = ["Each split search of XGBoost runs in parallel across features."]
    assert opposed_terms(sequential, other, guide, asked) == []
    both = ["Gradient boosting adds trees sequentially; XGBoost finds splits in parallel."]
    assert opposed_terms(sequential, both, guide, asked) == []
    said_both_ways = "Gradient boosting is sequential, unlike bagging, which runs in parallel."
    assert opposed_terms(sequential, wrong, said_both_ways, asked) == []


def test_an_auxiliarys_not_before_a_verb_and_its_object_denies_what_follows_only():
    """Found on a new guide: "decoding does not recompute them" had denied "decoding" (a right
    answer on the KV cache scored 0.2). A "not" after an auxiliary, before a verb with an
    object, negates the verb and the object; before a passive, a perfect or a bare verb it
    still says the subject's claim is wrong."""
    guide = "During decoding the model generates one token at a time; BLEU scores translations."
    assert denied_terms(terms("decoding"), clauses(
        "It caches keys so decoding does not recompute them."), guide) == []
    assert denied_terms(terms("recompute"), clauses(
        "The cache does not recompute the keys."), "Keys are recomputed each step.") == [
        "recompute"]
    assert denied_terms(terms("BLEU"), clauses("BLEU should not be used."), guide) == ["BLEU"]
    assert denied_terms(terms("decoding"), clauses("Decoding doesn't really matter."),
                        guide) == ["decoding"]


def test_what_a_guide_says_of_an_absence_may_be_negated_of_the_present_case():
    """"Without a cache, the keys ... would be recomputed": an answer saying the cache means
    they are not recomputed echoes it; the same negation against a plain statement denies."""
    answer = clauses("With the cache the model does not recompute the keys.")
    assert denied_terms(terms("recomputed"), answer, "Without a cache, the keys of every "
                        "previous token would be recomputed at each step.") == []
    assert denied_terms(terms("recomputed"), answer,
                        "The keys of every previous token are recomputed at each step.") == [
        "recomputed"]
