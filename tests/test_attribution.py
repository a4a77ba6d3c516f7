"""Comparison questions: a point said of the other compared side is caught, not credited."""

from tutor.grading.attribution import misattributed, point_subjects
from tutor.grading.polarity import clauses
from tutor.grading.terms import TermGroup

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
